package main

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitStopped waits until the kernel reports pid as stopped (state T).
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err == nil {
			f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
			if len(f) > 0 && (f[0] == "T" || f[0] == "t") {
				return
			}
		}
		time.Sleep(time.Millisecond) // polling the kernel's view; there is no event to wait on
	}
	t.Fatal("process did not stop")
}

// A reader that falls behind a writer lapping the ring reports the lost
// messages as one drop notice on stderr and keeps going.
func TestFollowDropNotice(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "--size", "64K", "tiny")
	e.must("feed", "tiny", `{"hello":1}`)
	bin := binPath
	if e.bin != "" {
		bin = e.bin
	}
	// --tail 1 prints hello whenever the follower starts; after it, it is live
	cmd := exec.Command(bin, "--dir", e.dir, "follow", "tiny", "--tail", "1", "--format", "json")
	out, _ := cmd.StdoutPipe()
	errp, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewReader(out)
	notices := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(errp)
		for sc.Scan() {
			notices <- sc.Text()
		}
		close(notices)
	}()
	if l := readLineWithin(t, lines, 30*time.Second); !strings.Contains(l, "hello") {
		t.Fatalf("first line %q", l)
	}
	cmd.Process.Signal(syscall.SIGSTOP)
	waitStopped(t, cmd.Process.Pid)
	pad := strings.Repeat("p", 900)
	var stream strings.Builder
	for i := 0; i < 200; i++ {
		stream.WriteString(`{"i":` + strconv.Itoa(i) + `,"pad":"` + pad + `"}` + "\n")
	}
	e.runWith(runOpts{stdin: stream.String()}, "feed", "tiny")
	cmd.Process.Signal(syscall.SIGCONT)
	select {
	case n := <-notices:
		v := jsonOf(t, n).(map[string]any)["notice"].(map[string]any)
		d := v["details"].(map[string]any)
		if v["kind"] != "drop" || v["cmd"] != "follow" || v["pool"] != "tiny" || d["pool_path"] != e.path("tiny") {
			t.Fatalf("notice %v", v)
		}
		last, _ := strconv.Atoi(d["last_seen_seq"].(jsonNumber).String())
		next, _ := strconv.Atoi(d["next_seen_seq"].(jsonNumber).String())
		count, _ := strconv.Atoi(d["dropped_count"].(jsonNumber).String())
		if count != next-last-1 || count <= 0 || v["message"] != "dropped "+strconv.Itoa(count)+" messages" {
			t.Fatalf("drop details %v", d)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no drop notice")
	}
}
