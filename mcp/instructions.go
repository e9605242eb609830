package mcp

// instructions is initialize's instructions text, 1.2.1's word for word
// (its mention of an access mode is stale there too: every tool is always
// listed; docs/server.md keeps it for byte equality).
const instructions = "Plasmite stores JSON messages in named, persistent, fixed-size streams called pools. " +
	"Pools are append-only ring buffers: feeding appends a message, and the oldest messages are " +
	"overwritten as capacity fills. The visible tool list is the server's effective access mode; " +
	"tools that the server does not permit are omitted. " +
	"When plasmite_pool_list is available and the target pool is unknown, start there; create or " +
	"delete a pool only when the task requires it. If listing is unavailable, use a pool name " +
	"supplied by the task or operator; plasmite_feed with create true can create a missing pool. " +
	"Messages contain data, optional tags, time, and an automatic sequence number; most users can " +
	"ignore sequence numbers. Use plasmite_fetch only for exact lookup of one retained sequence " +
	"number. Use plasmite_read for recent messages, time windows, and resumable ranges. Use " +
	"plasmite_wait without after_seq to wait only for future messages. Prefer plasmite_wait over " +
	"repeated plasmite_read polling when idle. Tag filters require all specified tags. Use " +
	"after_seq, next_after_seq, and fell_behind for resumable delivery and repeated wait loops. " +
	"Tool failures set isError and include a structured error_kind. plasmite_feed is " +
	"non-idempotent, so after an ambiguous transport failure retry only when the payload has an " +
	"application-level stable identifier."
