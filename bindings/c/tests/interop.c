/* interop: the pool file is shared with the reference implementation.
 *   interop write DIR   create pool "interop" in DIR and append 3 messages
 *   interop read DIR    open pool "refpool" (written by the reference CLI)
 *                       and print message 1's envelope on stdout
 *   interop info DIR    print plsm_pool_info_json of "refpool", then
 *                       plsm_pool_list_json, one per line (needs our
 *                       extensions) */
#include "check.h"
#include <stdint.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: interop write|read DIR\n");
        return 2;
    }
    plsm_error_t *err = NULL;
    plsm_client_t *client = NULL;
    plsm_pool_t *pool = NULL;
    plsm_buf_t out = {0};
    OK(plsm_client_new(argv[2], &client, &err), &err);
    if (strcmp(argv[1], "write") == 0) {
        OK(plsm_pool_create(client, "interop", 1 << 20, &pool, &err), &err);
        const char *tags[] = {"from-c", "abi"};
        char json[64];
        for (int i = 1; pool && i <= 3; i++) {
            snprintf(json, sizeof json, "{\"i\":%d,\"text\":\"m\\u00e9ssage %d\"}", i, i);
            OK(plsm_pool_append_json(pool, (const uint8_t *)json, strlen(json), tags, 2, i == 3, &out, &err), &err);
            CHECK(buf_seq(&out) == (unsigned long long)i);
            plsm_buf_free(&out);
        }
    } else if (strcmp(argv[1], "info") == 0) {
#ifdef PLSM_ABI_MINOR
        OK(plsm_pool_open(client, "refpool", &pool, &err), &err);
        if (pool) {
            OK(plsm_pool_info_json(pool, &out, &err), &err);
            fwrite(out.data, 1, out.len, stdout);
            fputc('\n', stdout);
            plsm_buf_free(&out);
        }
        OK(plsm_pool_list_json(client, &out, &err), &err);
        fwrite(out.data, 1, out.len, stdout);
        fputc('\n', stdout);
        plsm_buf_free(&out);
#endif
    } else {
        OK(plsm_pool_open(client, "refpool", &pool, &err), &err);
        if (pool) {
            OK(plsm_pool_get_json(pool, 1, &out, &err), &err);
            fwrite(out.data, 1, out.len, stdout);
            fputc('\n', stdout);
            plsm_buf_free(&out);
        }
    }
    plsm_pool_free(pool);
    plsm_client_free(client);
    return check_failures ? 1 : 0;
}
