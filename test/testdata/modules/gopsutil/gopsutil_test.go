package gopsutil_test

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/host"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"
)

// call runs f with a deadline and catches a panic. An error is accepted
// (and logged) if it says something; values must pass valid, which
// returns "" for good values or what is wrong.
func call[T any](t *testing.T, name string, f func(ctx context.Context) (T, error), valid func(T) string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type result struct {
		v     T
		err   error
		panic string
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- result{panic: fmt.Sprintf("%v\n%s", p, debug.Stack())}
			}
		}()
		v, err := f(ctx)
		ch <- result{v: v, err: err}
	}()
	var r result
	select {
	case r = <-ch:
	case <-time.After(15 * time.Second):
		t.Errorf("%s: no return in 15s", name)
		return
	}
	switch {
	case r.panic != "":
		t.Errorf("%s: panic: %s", name, r.panic)
	case r.err != nil:
		if r.err.Error() == "" {
			t.Errorf("%s: empty error %#v", name, r.err)
		}
		t.Logf("%s: error: %v", name, r.err)
	default:
		if bad := valid(r.v); bad != "" {
			t.Errorf("%s: nil error but %s (%+v)", name, bad, r.v)
		} else {
			t.Logf("%s: ok: %s", name, short(r.v))
		}
	}
}

func short(v any) string {
	s := fmt.Sprintf("%+v", v)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func wantIf(cond bool, what string) string {
	if cond {
		return ""
	}
	return what
}

func TestCPU(t *testing.T) {
	call(t, "cpu.Counts(true)", func(ctx context.Context) (int, error) { return cpu.CountsWithContext(ctx, true) },
		func(n int) string { return wantIf(n > 0, "count 0") })
	call(t, "cpu.Counts(false)", func(ctx context.Context) (int, error) { return cpu.CountsWithContext(ctx, false) },
		func(n int) string { return wantIf(n >= 0, "negative count") })
	call(t, "cpu.Info", cpu.InfoWithContext,
		func(s []cpu.InfoStat) string { return wantIf(len(s) > 0, "no CPUs") })
	call(t, "cpu.Times(false)", func(ctx context.Context) ([]cpu.TimesStat, error) { return cpu.TimesWithContext(ctx, false) },
		func(s []cpu.TimesStat) string { return wantIf(len(s) == 1, "want one total") })
}

func TestMem(t *testing.T) {
	call(t, "mem.VirtualMemory", mem.VirtualMemoryWithContext,
		func(m *mem.VirtualMemoryStat) string {
			return wantIf(m != nil && m.Total > 0 && m.Available <= m.Total, "no or inconsistent totals")
		})
	call(t, "mem.SwapMemory", mem.SwapMemoryWithContext,
		func(m *mem.SwapMemoryStat) string { return wantIf(m != nil, "nil") })
}

func TestHost(t *testing.T) {
	call(t, "host.Info", host.InfoWithContext,
		func(h *host.InfoStat) string {
			return wantIf(h != nil && h.Hostname != "" && h.OS != "", "no hostname or OS")
		})
	call(t, "host.Uptime", host.UptimeWithContext,
		func(u uint64) string { return "" })
	call(t, "host.KernelVersion", host.KernelVersionWithContext,
		func(s string) string { return "" })
}

func TestDisk(t *testing.T) {
	call(t, "disk.Partitions(false)", func(ctx context.Context) ([]disk.PartitionStat, error) { return disk.PartitionsWithContext(ctx, false) },
		func(p []disk.PartitionStat) string { return "" })
	call(t, "disk.Usage(/)", func(ctx context.Context) (*disk.UsageStat, error) { return disk.UsageWithContext(ctx, "/") },
		func(u *disk.UsageStat) string { return wantIf(u != nil && u.Path == "/", "wrong path") })
	dir := t.TempDir()
	call(t, "disk.Usage(tempdir)", func(ctx context.Context) (*disk.UsageStat, error) { return disk.UsageWithContext(ctx, dir) },
		func(u *disk.UsageStat) string { return wantIf(u != nil && u.Used <= u.Total, "used > total") })
}

func TestNet(t *testing.T) {
	call(t, "net.Interfaces", net.InterfacesWithContext,
		func(l net.InterfaceStatList) string {
			for _, i := range l {
				if i.Name == "lo" {
					return ""
				}
			}
			return "no lo"
		})
	call(t, "net.IOCounters(true)", func(ctx context.Context) ([]net.IOCountersStat, error) { return net.IOCountersWithContext(ctx, true) },
		func(s []net.IOCountersStat) string { return "" })
}

func TestProcess(t *testing.T) {
	pid := int32(os.Getpid())
	call(t, "process.Pids", process.PidsWithContext,
		func(p []int32) string {
			for _, x := range p {
				if x == pid {
					return ""
				}
			}
			return "own pid missing"
		})
	call(t, "process.PidExists(self)", func(ctx context.Context) (bool, error) { return process.PidExistsWithContext(ctx, pid) },
		func(b bool) string { return wantIf(b, "false") })
	call(t, "process.NewProcess(self)", func(ctx context.Context) (*process.Process, error) {
		return process.NewProcessWithContext(ctx, pid)
	}, func(p *process.Process) string { return wantIf(p != nil && p.Pid == pid, "wrong pid") })
	p := &process.Process{Pid: pid}
	call(t, "Process.Name", p.NameWithContext,
		func(s string) string { return wantIf(s != "", "empty name") })
	call(t, "Process.MemoryInfo", p.MemoryInfoWithContext,
		func(m *process.MemoryInfoStat) string { return wantIf(m != nil && m.RSS > 0, "no RSS") })
	call(t, "Process.NumThreads", p.NumThreadsWithContext,
		func(n int32) string { return wantIf(n > 0, "no threads") })
}
