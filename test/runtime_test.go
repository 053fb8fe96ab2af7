// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mirago.dev/mirago/scripts/hosttsc"
)

// The xen/amd64 runtime under QEMU (issue 4): time, idle, preemption,
// faults, memory. Each case boots testdata/progs/rtprobe in one mode.
// Time bounds are generous: QEMU emulates the CPU (TCG) here.

// probe boots rtprobe with args and the extra environment e (which the
// exec wrapper forwards: GOGC, GOMAXPROCS, ..., MIRAGO_MEM).
func probe(t *testing.T, e []string, args ...string) result {
	t.Helper()
	img := progImage(t, "rtprobe")
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_amd64_exec")
	return run(t, progsDir(t), env(t, e...), wrapper, append([]string{img}, args...)...)
}

// startProbe starts rtprobe as probe does, but returns at once with
// its standard output as a pipe to read as the test likes, and its
// standard error collected.
func startProbe(t *testing.T, e []string, args ...string) (*exec.Cmd, io.ReadCloser, *bytes.Buffer) {
	t.Helper()
	img := progImage(t, "rtprobe")
	cmd := exec.Command(filepath.Join(goroot(t), "bin", "go_xen_amd64_exec"), append([]string{img}, args...)...)
	cmd.Dir = progsDir(t)
	cmd.Env = env(t, e...)
	stderr := new(bytes.Buffer)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out, stderr
}

// wantRun checks the status of r and that its output has each of want.
func wantRun(t *testing.T, r result, status int, want ...string) {
	t.Helper()
	if r.code != status {
		t.Errorf("exit status %d, want %d:\n%s", r.code, status, r)
	}
	for _, w := range want {
		if !strings.Contains(r.combined(), w) {
			t.Errorf("output lacks %q:\n%s", w, r)
		}
	}
}

// slept returns the durations of the "slept REQUESTED OBSERVED" lines.
func slept(t *testing.T, r result) (requested, observed []time.Duration) {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?m)^slept (?:(\d+) )?(\d+)$`).FindAllStringSubmatch(r.stdout, -1) {
		req, _ := strconv.ParseInt(m[1], 10, 64)
		obs, _ := strconv.ParseInt(m[2], 10, 64)
		requested = append(requested, time.Duration(req))
		observed = append(observed, time.Duration(obs))
	}
	return
}

func TestRuntimeInfo(t *testing.T) {
	host := time.Now().Unix()
	r := probe(t, []string{"MIRAGO_SMP=1", "GOGC=50", "GOMEMLIMIT=100MiB", "GOMAXPROCS=4"}, "info")
	// As on Linux, GOMAXPROCS may ask for more Ps than there are
	// CPUs: their Ms share the CPU.
	wantRun(t, r, 0, "GOOS=xen GOARCH=amd64 NumCPU=1 GOMAXPROCS=4 GOGC=50 GOMEMLIMIT=104857600 ")
	m := regexp.MustCompile(`unix=(\d+)`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no wall clock in output:\n%s", r)
	}
	guest, _ := strconv.ParseInt(m[1], 10, 64)
	// The CMOS RTC has whole seconds; allow for the boot.
	if d := guest - host; d < -2 || d > 60 {
		t.Errorf("guest wall clock %d is %d s off the host's %d", guest, d, host)
	}
}

func TestRuntimeGODEBUG(t *testing.T) {
	r := probe(t, []string{"GODEBUG=gctrace=1"}, "gc")
	wantRun(t, r, 0, "collected", "gc 1 @")
}

func TestRuntimeSleep(t *testing.T) {
	r := probe(t, nil, "sleep")
	wantRun(t, r, 0)
	req, obs := slept(t, r)
	if len(req) != 4 {
		t.Fatalf("want 4 sleeps:\n%s", r)
	}
	for i := range req {
		if obs[i] < req[i] || obs[i] > req[i]+500*time.Millisecond {
			t.Errorf("time.Sleep(%v) took %v", req[i], obs[i])
		}
	}
}

// TestRuntimeIdle checks that a sleeping guest halts the CPU: QEMU's CPU
// time over a 5 s sleep, less that of a boot with no sleep, is under 10%
// of the 5 s.
func TestRuntimeIdle(t *testing.T) {
	cpu := func(d string) time.Duration {
		var before, after syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before)
		r := probe(t, nil, "idle", d)
		syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after)
		wantRun(t, r, 0, "woke")
		return time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	}
	base := cpu("0s")
	slept := cpu("5s")
	t.Logf("CPU time: %v for a boot, %v with a 5 s sleep", base, slept)
	if extra := slept - base; extra > 500*time.Millisecond {
		t.Errorf("the 5 s sleep cost %v of host CPU, want < 500ms (10%%)", extra)
	}
}

func TestRuntimePreemptSpin(t *testing.T) {
	r := probe(t, []string{"GOMAXPROCS=1"}, "spin1")
	wantRun(t, r, 0)
	if _, obs := slept(t, r); len(obs) != 1 || obs[0] < 100*time.Millisecond || obs[0] > 5*time.Second {
		t.Errorf("want one sleep of 100ms beside a spinning goroutine, got %v:\n%s", obs, r)
	}
}

func TestRuntimePreemptSpin8(t *testing.T) {
	r := probe(t, nil, "spin8")
	wantRun(t, r, 0)
	_, obs := slept(t, r)
	if len(obs) != 10 {
		t.Fatalf("want 10 sleeps beside 8 spinning goroutines, got %d:\n%s", len(obs), r)
	}
	for _, d := range obs {
		if d < 100*time.Millisecond || d > 5*time.Second {
			t.Errorf("time.Sleep(100ms) took %v beside 8 spinning goroutines", d)
		}
	}
}

// Faults: the same panics and fatal errors as on linux/amd64.
func TestRuntimeFaults(t *testing.T) {
	tests := []struct {
		mode   string
		status int
		want   []string
	}{
		{"nil", 0, []string{"recovered: runtime error: invalid memory address or nil pointer dereference"}},
		{"nilfatal", 2, []string{
			"panic: runtime error: invalid memory address or nil pointer dereference",
			"[signal SIGSEGV: segmentation violation code=0x1 addr=0x320 pc=",
			"goroutine 1 [running]:",
		}},
		{"divide", 0, []string{"recovered: runtime error: integer divide by zero"}},
		// Not a panic on Linux either: a fatal signal, with registers.
		{"illegal", 2, []string{"SIGILL: illegal instruction", "instruction bytes: 0xf 0xb", "main.ud2()", "rip    0x", "rflags "}},
		{"wild", 2, []string{"unexpected fault address 0x7f0000000000", "fatal error: fault", "code=0x1 addr=0x7f0000000000"}},
		{"noncanonical", 2, []string{"unexpected fault address 0x0", "fatal error: fault", "code=0x80 addr=0x0"}},
		// Page protection: rodata and text are read-only, the heap
		// and stacks are not executable.
		{"rodata", 2, []string{"unexpected fault address", "fatal error: fault", "SIGSEGV: segmentation violation code=0x2"}},
		{"text", 2, []string{"unexpected fault address", "fatal error: fault", "SIGSEGV: segmentation violation code=0x2"}},
		{"exec", 2, []string{"unexpected fault address", "fatal error: fault", "SIGSEGV: segmentation violation code=0x2"}},
		{"stack", 2, []string{"runtime: goroutine stack exceeds", "fatal error: stack overflow"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			wantRun(t, probe(t, nil, tt.mode), tt.status, tt.want...)
		})
	}
}

// TestRuntimeQuit: an NMI is SIGQUIT. The exec wrapper sends one when
// it gets SIGQUIT (as go test sends a test binary that overruns its
// timeout) and when MIRAGO_TIMEOUT expires; the guest prints every
// goroutine's stack and exits with status 2, as a Go program does on
// Linux for kill -QUIT.
func TestRuntimeQuit(t *testing.T) {
	dump := []string{
		"SIGQUIT: quit",
		"main.main()", "time.Sleep(", // goroutine 1, asleep
		"[chan receive]:", "main.main.func", // the blocked goroutine
	}
	t.Run("timeout", func(t *testing.T) {
		r := probe(t, []string{"MIRAGO_TIMEOUT=5s"}, "hang")
		wantRun(t, r, 124, append(dump, "did not finish within 5s (MIRAGO_TIMEOUT); sent it an NMI: its goroutines are above")...)
	})
	t.Run("sigquit", func(t *testing.T) {
		cmd, out, stderr := startProbe(t, []string{"MIRAGO_TIMEOUT=2m"}, "hang")
		var stdout strings.Builder
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			stdout.WriteString(sc.Text() + "\n")
			if sc.Text() == "hanging" {
				cmd.Process.Signal(syscall.SIGQUIT)
				break
			}
		}
		rest, _ := io.ReadAll(out)
		stdout.Write(rest)
		cmd.Wait()
		r := result{cmd: cmd.String() + " (SIGQUIT after its first line)", stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
		wantRun(t, r, 2, dump...)
	})
}

// TestRuntimeMemory checks that the heap can use most of the RAM and
// that running out of it is reported.
func TestRuntimeMemory(t *testing.T) {
	t.Run("most", func(t *testing.T) {
		// 160 MiB live of 256 MiB.
		wantRun(t, probe(t, []string{"MIRAGO_MEM=256M"}, "alloc", "160"), 0, "allocated MiB: 160")
	})
	t.Run("above4G", func(t *testing.T) {
		// QEMU puts at most 3 GiB of RAM below the PCI hole, so 4800
		// MiB live of 5 GiB needs nearly all the RAM above 4 GiB too.
		wantRun(t, probe(t, []string{"MIRAGO_MEM=5G"}, "alloc", "4800"), 0, "allocated MiB: 4800")
	})
	t.Run("oom", func(t *testing.T) {
		wantRun(t, probe(t, []string{"MIRAGO_MEM=64M"}, "oom"), 2, "fatal error: out of memory")
	})
}

// bootPC boots prog with args on QEMU's machine (pc or q35), where
// SeaBIOS loads it by PVH, running QEMU directly: the exec wrapper
// boots microvm. isa-debug-exit makes QEMU exit with (status<<1)|1.
// tscWord returns the kernel command line word that states the host's
// TSC frequency, as the exec wrapper passes it, with a space after it.
func tscWord() string {
	if khz := hosttsc.KHz(hosttsc.CacheDir(os.LookupEnv)); khz > 0 {
		return "tsc_khz=" + strconv.FormatUint(khz, 10) + " "
	}
	return ""
}

func bootPC(t *testing.T, machine, prog string, args []string, qemuFlags ...string) result {
	t.Helper()
	img := progImage(t, prog)
	argv := append([]string{
		"-M", machine, "-accel", "tcg", "-cpu", "max", "-m", "256M",
		"-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
		"-kernel", img, "-append", tscWord() + "-- " + strings.Join(append([]string{prog}, args...), " "),
		"-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
	}, qemuFlags...)
	r := run(t, t.TempDir(), env(t), "qemu-system-x86_64", argv...)
	// SeaBIOS's banner shares the console and ends without a newline.
	const banner = "Booting from ROM.."
	if i := strings.Index(r.stdout, banner); i >= 0 {
		r.stdout = r.stdout[i+len(banner):]
	}
	return r
}

// TestRuntimeBootPC boots an image on QEMU's pc and q35 machines: unlike
// microvm's, their firmware puts the memory map in page 0, which the
// runtime unmaps. A program that uses package net is booted too: its
// stack looks for devices at start.
func TestRuntimeBootPC(t *testing.T) {
	for _, machine := range []string{"pc", "q35"} {
		t.Run(machine+"/exitargs", func(t *testing.T) {
			r := bootPC(t, machine, "exitargs", []string{"one"})
			if r.code != 3<<1|1 || !strings.Contains(r.stdout, "arg[1]=\"one\"\n") {
				t.Errorf("want status 3 and arg[1]=\"one\":\n%s", r)
			}
		})
		t.Run(machine+"/netprobe", func(t *testing.T) {
			r := bootPC(t, machine, "netprobe", []string{"ifaces"})
			if r.code != 0<<1|1 || !strings.Contains(r.stdout, "1 lo mtu=65536") {
				t.Errorf("want status 0 and lo listed:\n%s", r)
			}
		})
	}
}

// TestRuntimeAVX boots rtprobe's vector mode on two CPU models. Under
// QEMU's TCG "max" CPU, whose brand string names TCG, the runtime
// leaves AVX off (enableFPU): XCR0 has x87 and SSE only. The same CPU
// under another name has AVX on, so that the runtime's AVX path, which
// KVM and Xen take (XSETBV at boot, XSAVE and XRSTOR around every
// interrupt), still runs in these tests: Go's AVX2 code (crypto/sha256,
// copy), interrupted by timers on two CPUs, must come out right. It
// does not show that XSAVE is needed: Go code in the interrupt handler
// leaves the vector registers' upper halves alone, so FXSAVE passes too.
func TestRuntimeAVX(t *testing.T) {
	for _, c := range []struct {
		name, cpu string
		avx       bool
	}{
		{"tcg", "max", false},
		{"named", "max,model-id=Mirago test CPU", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := bootPC(t, "microvm", "rtprobe", []string{"vector"}, "-cpu", c.cpu, "-smp", "2")
			m := regexp.MustCompile(`(?m)^xcr0=0x([0-9a-f]+)$`).FindStringSubmatch(r.stdout)
			if r.code != 0<<1|1 || m == nil || !strings.Contains(r.stdout, "vector ok: 2400 results on 2 CPUs") {
				t.Fatalf("want status 0, an xcr0= line and \"vector ok\" on 2 CPUs:\n%s", r)
			}
			xcr0, _ := strconv.ParseUint(m[1], 16, 64)
			if got := xcr0&4 != 0; got != c.avx || xcr0&3 != 3 {
				t.Errorf("-cpu %s: XCR0 = %#x, want x87 and SSE, and AVX %v", c.cpu, xcr0, c.avx)
			}
		})
	}
}

// TestRuntimeNoRTC boots on a microvm without its CMOS RTC (Firecracker
// has none either): the ports read as all ones, and the wall clock
// starts at 1970, as Linux's does without an RTC, with a line that says
// so. It used to be read after 100 ms of waiting for an update that
// never ended, as a date in the year 25770.
func TestRuntimeNoRTC(t *testing.T) {
	r := bootPC(t, "microvm,rtc=off", "rtprobe", []string{"info"})
	var unix int64 = -1
	if m := regexp.MustCompile(` unix=(\d+)`).FindStringSubmatch(r.stdout); m != nil {
		unix, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if r.code != 0<<1|1 || unix < 0 || unix > 24*3600 || !strings.Contains(r.stdout, "xen: no CMOS RTC: the wall clock starts at 1970\n") {
		t.Errorf("want status 0, a line about the RTC, and a wall clock in 1970's first day:\n%s", r)
	}
}

// TestRuntimeClockUnderLoad boots 20 times while the host's CPUs are
// busy and compares the guest's clock with the host's. The guest's TSC
// runs at the host's rate; the exec wrapper states it (tsc_khz), and a
// guest that measured it against an emulated timer on a loaded host has
// been 17% fast. Ten more boots measure it against the PIT
// (MIRAGO_TSC_KHZ=0) and must say so on the console.
//
// The guest prints a line every 50 ms for 5 s with the time since the
// first by its clock; the host notes when each line arrives. With every
// host CPU busy, QEMU's thread waits for a CPU now and then, and a line
// arrives late: by 20 to 60 ms usually, once by more than a second,
// which is the host's scheduling, not the guest's clock. A line never
// arrives early, so the rate comes from the lower envelope of the
// lateness: its least value among the lines of the first 1.5 s and
// among those of the last 1.5 s. A pause of the host shorter than a
// window moves neither. The bound is 2% for every boot.
func TestRuntimeClockUnderLoad(t *testing.T) {
	img := progImage(t, "rtprobe")
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_amd64_exec")
	stop := make(chan struct{})
	defer close(stop)
	for range runtime.NumCPU() {
		go func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := 0; i < 1e6; i++ {
				}
			}
		}()
	}
	const (
		tick   = 50 * time.Millisecond
		span   = 5 * time.Second
		window = 1500 * time.Millisecond
	)
	// boot returns the host's time per unit of the guest's, minus one.
	boot := func(e []string, wantNotice bool) float64 {
		t.Helper()
		g := startCommand(t, e, []string{wrapper, img, "ticks", tick.String(), span.String()})
		var t0 time.Time
		first, last := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
		n := 0
		for {
			m := g.waitLine(t, `^tick (\d+)$|^ticks end$`, 2*time.Minute)
			now := time.Now()
			if m[1] == "" {
				break
			}
			guest, _ := strconv.ParseInt(m[1], 10, 64)
			if n == 0 {
				t0 = now
			}
			n++
			late := now.Sub(t0) - time.Duration(guest)
			if guest <= int64(window) {
				first = min(first, late)
			}
			if guest >= int64(span-window) {
				last = min(last, late)
			}
		}
		g.wait(t, time.Minute)
		if got := strings.Contains(g.output(), "TSC frequency measured against the PIT"); got != wantNotice {
			t.Errorf("the console says the TSC was measured: %v, want %v:\n%s", got, wantNotice, g.output())
		}
		// The lines channel drops lines the test is too slow to take;
		// both windows must still have some.
		if first == math.MaxInt64 || last == math.MaxInt64 || n < int(span/tick)/2 {
			t.Fatalf("%d tick lines, some missing from the first or last %v:\n%s", n, window, g.output())
		}
		return float64(last-first) / float64(span-window)
	}
	check := func(what string, n int, e []string, pit bool) {
		var offs []float64
		for range n {
			off := boot(e, pit)
			offs = append(offs, off)
			if off < -0.02 || off > 0.02 {
				t.Errorf("%s: the host's clock ran %+.1f%% against the guest's", what, 100*off)
			}
		}
		slices.Sort(offs)
		t.Logf("%s: %d boots under load; the host's clock ran from %+.2f%% to %+.2f%% against the guest's, median %+.2f%%",
			what, n, 100*offs[0], 100*offs[n-1], 100*offs[n/2])
	}
	check("tsc_khz from the wrapper", 20, nil, false)
	check("measured against the PIT", 10, []string{"MIRAGO_TSC_KHZ=0"}, true)
}

// TestMachineMethodsNosplit: the runtime calls its platform through the
// machine interface from code where the stack must not grow (nanotime
// in exitsyscall, the console in trap handlers). A method with a value
// receiver is entered through a wrapper that the compiler generates
// with a stack check, whatever the method's //go:nosplit, so the
// platforms take pointer receivers and the interface enters their
// methods themselves. (The arm64 images are not ELF files, which
// objdump reads; their platforms follow the same rule.)
func TestMachineMethodsNosplit(t *testing.T) {
	for _, target := range []string{"xen/amd64", "solo5/amd64"} {
		t.Run(strings.ReplaceAll(target, "/", "-"), func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "rtprobe")
			if r := mgo(t, progsDir(t), target, "build", "-o", img, "./rtprobe"); r.code != 0 {
				t.Fatalf("build:\n%s", r)
			}
			r := mgo(t, progsDir(t), "", "tool", "objdump", "-s", `^runtime\.\(\*\w+Machine\)\.`, img)
			if r.code != 0 {
				t.Fatalf("objdump:\n%s", r)
			}
			n := 0
			for _, line := range strings.Split(r.stdout, "\n") {
				if !strings.HasPrefix(line, "TEXT ") {
					continue
				}
				n++
				if strings.HasSuffix(line, "<autogenerated>") {
					t.Errorf("a compiler-generated wrapper, with a stack check: %s", line)
				}
			}
			if n < 10 {
				t.Fatalf("%d machine methods in the image, want at least 10:\n%s", n, r)
			}
			t.Logf("%d machine methods, none entered through a wrapper", n)
		})
	}
}
