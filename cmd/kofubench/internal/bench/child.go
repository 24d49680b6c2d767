package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
)

// childEnv names the database a child process serves; childInFlight its
// --public-max-inflight.
const (
	childEnv      = "KOFU_BENCH_SERVE"
	childInFlight = "KOFU_BENCH_INFLIGHT"
)

// ServeChild serves the database named by KOFU_BENCH_SERVE when this
// process was started as the bench's server, printing the server's URL on
// stdout and serving until stdin closes; it reports whether it did. A
// server of its own measures the RSS of the server alone, without the
// load generator and the seeding that share the bench's process.
func ServeChild() bool {
	dsn := os.Getenv(childEnv)
	if dsn == "" {
		return false
	}
	if err := serveChild(dsn); err != nil {
		fmt.Fprintln(os.Stderr, "kofubench server:", err)
		os.Exit(1)
	}
	return true
}

func serveChild(dsn string) error {
	ctx := context.Background()
	inflight, err := strconv.Atoi(os.Getenv(childInFlight))
	if err != nil {
		return fmt.Errorf("%s: %w", childInFlight, err)
	}
	v := &env{engine: store.EngineOf(dsn), dsn: dsn}
	defer v.close()
	if v.db, err = store.Open(ctx, dsn); err != nil {
		return err
	}
	v.cleanup = append(v.cleanup, func() { v.db.Close() })
	if err := useKeys(v.db); err != nil {
		return err
	}
	v.clock = clock.NewFixed(Now())
	if err := v.serve(inflight); err != nil {
		return err
	}
	fmt.Println(v.url)
	io.Copy(io.Discard, os.Stdin) // until the bench closes the pipe or dies
	return nil
}

// childRSS starts a server of its own on the same database, loads it
// with as many clients as the public site admits for d, and reads its
// peak RSS.
func (v *env) childRSS(ctx context.Context, s Sizes, cards int) (Result, error) {
	exe, err := os.Executable()
	if err != nil {
		return Result{}, err
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), childEnv+"="+v.dsn, childInFlight+"="+strconv.Itoa(s.MaxInFlight))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return Result{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, err
	}
	if err := cmd.Start(); err != nil {
		return Result{}, err
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return Result{}, fmt.Errorf("the bench's server did not start: %w", err)
	}
	child := &env{url: strings.TrimSpace(line)}
	c := newClient(s.MaxInFlight)
	t, took := closedLoop(ctx, c, s.MaxInFlight, s.Duration, 0, child.get("/booking/start"))
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return Result{}, err
	}
	r := Result{Figure: fmt.Sprintf("サーバーの RSS 最大（別プロセス、%s 枚、%d 並列の負荷中）", count(cards), s.MaxInFlight),
		Value: statusMB(string(status), "VmHWM:"), Unit: "MB", Target: AtMost(150, "< 150 MB"),
		Note: fmt.Sprintf("%.0f 件/秒、%s", goodput(t, took), t.String())}
	if t.count(200) == 0 {
		return r, fmt.Errorf("the bench's server answered no page: %s %v", t.String(), t.errs)
	}
	return r, nil
}
