// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// GOOS=solo5 GOARCH=amd64 images under the genuine Solo5 spt tender
// (v0.12.1, built from the release tarball beside the checkout by
// scripts/solo5-tenders.sh and cached). Not being able to build the
// tender is a failure, not a reason to skip: these tests exist to run
// images under it.

// A tenderBuild is one run of scripts/solo5-tenders.sh, made once per
// test binary: the directory it printed, or what it said on failing.
type tenderBuild struct {
	once     sync.Once
	dir, out string
}

// tenderBuilds holds a *tenderBuild per argument of the script.
var tenderBuilds sync.Map

// solo5TendersFor returns the directory holding solo5-spt, solo5-hvt
// and solo5-elftool built by scripts/solo5-tenders.sh arch: for the
// host if arch is "", cross-built for aarch64 if it is "arm64".
func solo5TendersFor(t *testing.T, arch string) string {
	t.Helper()
	v, _ := tenderBuilds.LoadOrStore(arch, new(tenderBuild))
	b := v.(*tenderBuild)
	b.once.Do(func() {
		args := []string{filepath.Join(repoRoot(t), "scripts", "solo5-tenders.sh")}
		if arch != "" {
			args = append(args, arch)
		}
		out, err := exec.Command("bash", args...).Output()
		if ee, ok := err.(*exec.ExitError); ok {
			b.out = string(ee.Stderr)
		}
		if err != nil {
			b.out += err.Error()
			return
		}
		b.dir = strings.TrimSpace(string(out))
	})
	if b.dir == "" {
		t.Fatalf("cannot build the Solo5 tenders with scripts/solo5-tenders.sh %s:\n%s", arch, b.out)
	}
	return b.dir
}

// solo5Tenders returns the directory holding the host's solo5-spt,
// solo5-hvt and solo5-elftool.
func solo5Tenders(t *testing.T) string { return solo5TendersFor(t, "") }

// buildSolo5 builds the program in progs/dir for solo5/amd64 and
// returns the image's path.
func buildSolo5(t *testing.T, dir string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), filepath.Base(dir)+".spt")
	if r := mgo(t, progsDir(t), "solo5/amd64", "build", "-o", img, "./"+dir); r.code != 0 {
		t.Fatalf("build failed:\n%s", r)
	}
	return img
}

// TestSolo5Image checks the image's notes with Solo5's own elftool, for
// spt and hvt, and that the linker refuses a tender it does not know.
func TestSolo5Image(t *testing.T) {
	bin := solo5Tenders(t)
	img := buildSolo5(t, "exitargs")
	r := run(t, "", env(t), filepath.Join(bin, "solo5-elftool"), "query-abi", img)
	if r.code != 0 || !strings.Contains(r.stdout, `"target": "spt"`) || !strings.Contains(r.stdout, `"version": 2`) {
		t.Errorf("want ABI target spt, version 2:\n%s", r)
	}
	r = run(t, "", env(t), filepath.Join(bin, "solo5-elftool"), "query-manifest", img)
	if r.code != 0 || !strings.Contains(r.stdout, `"version": 1`) || strings.Contains(r.stdout, `"name"`) {
		t.Errorf("want an empty manifest (version 1, no devices):\n%s", r)
	}
	// A program that links package net asks for one network device.
	netImg := buildSolo5(t, "netprobe")
	r = run(t, "", env(t), filepath.Join(bin, "solo5-elftool"), "query-manifest", netImg)
	if r.code != 0 || strings.Count(r.stdout, `"name"`) != 1 || !strings.Contains(r.stdout, `"name": "service0"`) || !strings.Contains(r.stdout, `"type": "NET_BASIC"`) {
		t.Errorf("want one NET_BASIC device, service0, in netprobe's manifest:\n%s", r)
	}
	// A program that names /dev/vda asks for one block device.
	diskImg := buildSolo5(t, "devprobe")
	r = run(t, "", env(t), filepath.Join(bin, "solo5-elftool"), "query-manifest", diskImg)
	if r.code != 0 || strings.Count(r.stdout, `"name"`) != 1 || !strings.Contains(r.stdout, `"name": "storage"`) || !strings.Contains(r.stdout, `"type": "BLOCK_BASIC"`) {
		t.Errorf("want one BLOCK_BASIC device, storage, in devprobe's manifest:\n%s", r)
	}
	// A test binary asks for the block device of its boot archive.
	testImg := filepath.Join(t.TempDir(), "strconv.test")
	if r := mgo(t, progsDir(t), "solo5/amd64", "test", "-c", "-o", testImg, "strconv"); r.code != 0 {
		t.Fatalf("go test -c failed:\n%s", r)
	}
	r = run(t, "", env(t), filepath.Join(bin, "solo5-elftool"), "query-manifest", testImg)
	if r.code != 0 || strings.Count(r.stdout, `"name"`) != 1 || !strings.Contains(r.stdout, `"name": "initrd"`) || !strings.Contains(r.stdout, `"type": "BLOCK_BASIC"`) {
		t.Errorf("want one BLOCK_BASIC device, initrd, in a test binary's manifest:\n%s", r)
	}

	// -solo5=hvt records the hvt tender, which the wrapper heeds.
	// TestSolo5HVT (make test-xen) runs such images under solo5-hvt
	// in a nested KVM host; this machine has no /dev/kvm.
	hvtImg := img + ".hvt"
	if r := mgo(t, progsDir(t), "solo5/amd64", "build", "-ldflags=-solo5=hvt", "-o", hvtImg, "./exitargs"); r.code != 0 {
		t.Fatalf("build -ldflags=-solo5=hvt failed:\n%s", r)
	}
	r = run(t, "", env(t), filepath.Join(bin, "solo5-elftool"), "query-abi", hvtImg)
	if r.code != 0 || !strings.Contains(r.stdout, `"target": "hvt"`) || !strings.Contains(r.stdout, `"version": 2`) {
		t.Errorf("want ABI target hvt, version 2:\n%s", r)
	}
	if _, err := os.Stat("/dev/kvm"); err != nil {
		r = run(t, "", env(t), filepath.Join(goroot(t), "bin", "go_solo5_amd64_exec"), hvtImg)
		if r.code != 125 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "is built for solo5-hvt") {
			t.Errorf("want exit status 125 and one line from the wrapper without /dev/kvm:\n%s", r)
		}
	}
	r = mgo(t, progsDir(t), "solo5/amd64", "build", "-ldflags=-solo5=vmm", "-o", img+".vmm", "./exitargs")
	if r.code == 0 || !strings.Contains(r.stderr, "-solo5=vmm: unknown Solo5 tender (want spt or hvt)") {
		t.Errorf("want the linker to refuse -solo5=vmm:\n%s", r)
	}

	// The audit of TestImageAudit: the only system calls are spt's,
	// in the functions of sys_solo5_amd64.s, and hostedExit's two for
	// an image run as a host program. The network device's read and
	// write are linked only into programs that use the network. The
	// block device's pread64 and pwrite64 are in every program, with
	// package syscall's /dev/vda, but called only on a device that
	// the manifest declares, and so the filter allows.
	checkTraps(t, auditSyscalls, "syscall", sptCallers("runtime.settls"), []auditCase{
		{img, 10},
		{netImg, 12},
		{diskImg, 10},
	})

	// Run on the host, the image says what it is.
	r = run(t, "", env(t), img)
	if r.code != 126 || !strings.Contains(r.stderr, "this is a GOOS=solo5 image") {
		t.Errorf("want exit status 126 and a message, run as a host program:\n%s", r)
	}
}

// sptCallers returns the functions that may make a system call in a
// GOOS=solo5 image: spt's stubs (sys_solo5_GOARCH.s), hostedExit, and
// the architecture's extra ones.
func sptCallers(extra ...string) map[string]bool {
	m := map[string]bool{}
	for _, f := range append([]string{
		"runtime.hostedExit", "runtime.sptWrite", "runtime.sptExit",
		"runtime.sptClockGettime", "runtime.sptTimerfdSettime", "runtime.sptEpollPwait",
		"runtime.sptReadFD", "runtime.sptWriteFD", "runtime.sptPread", "runtime.sptPwrite",
	}, extra...) {
		m[f] = true
	}
	return m
}

// An auditCase is an image and how many system call instructions it
// has in the functions checkTraps allows.
type auditCase struct {
	img  string
	want int
}

// checkTraps checks that every instruction that audit finds in each
// image is inst (a system call) in one of the allowed functions, and
// that there are c.want of them.
func checkTraps(t *testing.T, audit func(string) ([]finding, error), inst string, allowed map[string]bool, cases []auditCase) {
	t.Helper()
	for _, c := range cases {
		hits, err := audit(c.img)
		if err != nil {
			t.Fatalf("auditing %s: %v", c.img, err)
		}
		n := 0
		for _, h := range hits {
			if h.inst == inst && allowed[strings.TrimSuffix(h.fn, ".abi0")] {
				n++
				continue
			}
			t.Errorf("%s: forbidden instruction outside spt's system calls: %v", filepath.Base(c.img), h)
		}
		if n != c.want {
			t.Errorf("%s: want %d %s instructions in the spt stubs and hostedExit, found %d", filepath.Base(c.img), c.want, inst, n)
		}
	}
}

// TestSolo5SPT runs images under solo5-spt, directly and through the
// exec wrapper.
func TestSolo5SPT(t *testing.T) {
	spt := filepath.Join(solo5Tenders(t), "solo5-spt")
	wrapper := filepath.Join(goroot(t), "bin", "go_solo5_amd64_exec")
	e := env(t, "SOLO5_SPT="+spt)

	img := buildSolo5(t, "exitargs")
	// The tender's own command line: the words after the image are
	// the guest's, argv[0] first.
	r := run(t, "", e, spt, img, "exitargs", "a", "b")
	if r.code != 3 || r.stdout != "arg[1]=\"a\"\narg[2]=\"b\"\n" {
		t.Errorf("want the arguments and exit status 3:\n%s", r)
	}
	r = run(t, "", e, wrapper, img, "a", "two words", `x"y`, "--", "K=V")
	if r.code != 3 || r.stdout != "arg[1]=\"a\"\narg[2]=\"two words\"\narg[3]=\"x\\\"y\"\narg[4]=\"--\"\narg[5]=\"K=V\"\n" {
		t.Errorf("want the arguments and exit status 3 through the wrapper:\n%s", r)
	}

	img = buildSolo5(t, "panic")
	r = run(t, "", e, wrapper, img)
	if r.code != 2 || !strings.Contains(r.stdout, "panic: boom from the guest") || !strings.Contains(r.stdout, "main.main()") {
		t.Errorf("want exit status 2 and the panic with its traceback on stdout:\n%s", r)
	}

	img = buildSolo5(t, "sleepgc")
	r = run(t, "", e, wrapper, img)
	if r.code != 0 || !strings.Contains(r.stdout, "sleepgc ok") {
		t.Errorf("want sleepgc ok:\n%s", r)
	}

	// go run finds the wrapper in $GOROOT/bin.
	r = mgoEnv(t, progsDir(t), "solo5/amd64", []string{"SOLO5_SPT=" + spt}, "run", "./exitargs", "x")
	if !strings.Contains(r.stdout, "arg[1]=\"x\"\n") || !strings.Contains(r.stderr, "exit status 3\n") {
		t.Errorf("want go run to print the argument and exit status 3:\n%s", r)
	}

	// Without a tender, the wrapper says so in one line.
	r = run(t, "", append(e, "SOLO5_SPT="+filepath.Join(t.TempDir(), "none")), wrapper, img)
	if r.code != 127 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "SOLO5_SPT=") {
		t.Errorf("want exit status 127 and one line without the tender:\n%s", r)
	}
}

// TestSolo5Probe runs the runtime probes of TestRuntimeFaults and
// TestRuntimeMemory (testdata/progs/rtprobe) that solo5-spt allows.
// The compiler tests pointers for nil on solo5, so a nil dereference is
// a panic as on Linux, recovered or fatal; so are a stack overflow and
// running out of memory. A fault that no nil check foresees, such as a
// DIV by zero or a wild store, kills the process: spt lets the guest
// install no signal handler, and the wrapper says what killed it.
func TestSolo5Probe(t *testing.T) {
	spt := filepath.Join(solo5Tenders(t), "solo5-spt")
	wrapper := filepath.Join(goroot(t), "bin", "go_solo5_amd64_exec")
	img := buildSolo5(t, "rtprobe")
	tests := []struct {
		mode   string
		env    []string
		status int
		want   []string
	}{
		{"nil", nil, 0, []string{"recovered: runtime error: invalid memory address or nil pointer dereference"}},
		{"nilfatal", nil, 2, []string{
			"panic: runtime error: invalid memory address or nil pointer dereference",
			"[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=",
			"goroutine 1 [running]:",
			"main.main()",
		}},
		{"stack", nil, 2, []string{"runtime: goroutine stack exceeds", "fatal error: stack overflow"}},
		{"oom", []string{"MIRAGO_MEM=64M"}, 2, []string{"fatal error: out of memory"}},
		{"divide", nil, 128 + 8, []string{"killed by floating point exception"}},
		{"wild", nil, 128 + 11, []string{"killed by segmentation fault"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			r := run(t, "", env(t, append([]string{"SOLO5_SPT=" + spt}, tt.env...)...), wrapper, img, tt.mode)
			wantRun(t, r, tt.status, tt.want...)
		})
	}
}

// TestSolo5Disk writes /dev/vda, a BLOCK_BASIC device on a file, at an
// offset across a block boundary, syncs, and exits; a second run reads
// the data back, and so does the host from the file. Without a file
// for the device, the wrapper says so in one line.
func TestSolo5Disk(t *testing.T) {
	spt := filepath.Join(solo5Tenders(t), "solo5-spt")
	wrapper := filepath.Join(goroot(t), "bin", "go_solo5_amd64_exec")
	img := buildSolo5(t, "devprobe")
	file := filepath.Join(t.TempDir(), "disk.img")
	const size = 4 << 20
	orig := bytes.Repeat([]byte{0xa5}, size)
	if err := os.WriteFile(file, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	e := env(t, "SOLO5_SPT="+spt, "MIRAGO_SOLO5_DISK="+file)
	msg := strings.Repeat("persisted across runs; ", 40) // 920 bytes from offset 1000
	r := run(t, "", e, wrapper, img, "diskwrite", msg)
	if want := fmt.Sprintf("wrote %d bytes; size %d <nil>\n", len(msg), size); r.code != 0 || r.stdout != want {
		t.Errorf("want %q and exit status 0:\n%s", want, r)
	}
	r = run(t, "", e, wrapper, img, "diskread", msg)
	if want := fmt.Sprintf("read %q\n", msg); r.code != 0 || r.stdout != want {
		t.Errorf("want %q and exit status 0:\n%s", want, r)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]byte(nil), orig[:1000]...), msg...), orig[1000+len(msg):]...)
	if !bytes.Equal(got, want) {
		t.Errorf("the file does not hold the message at offset 1000 with its other bytes intact")
	}

	r = run(t, "", env(t, "SOLO5_SPT="+spt), wrapper, img, "diskread", "x")
	if r.code != 125 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "set MIRAGO_SOLO5_DISK") {
		t.Errorf("want exit status 125 and one line without MIRAGO_SOLO5_DISK:\n%s", r)
	}
}

// TestSolo5Std checks that the standard library builds for solo5/amd64.
func TestSolo5Std(t *testing.T) {
	if r := mgo(t, repoRoot(t), "solo5/amd64", "build", "std"); r.code != 0 {
		t.Errorf("go build std failed:\n%s", r)
	}
}

// TestSolo5Net runs testdata/progs/netprobe under solo5-spt with its
// network device attached to tap0 in a network namespace (newNetns:
// the host is 10.77.0.1/24 there), with a static address. The host
// fetches pages from the guest's net/http server and moves 100 MB each
// way with matching SHA-256s, and the guest dials
// TCP and UDP echo servers on the host through the exec wrapper. It
// needs root, and fails without it: it exists to run these.
func TestSolo5Net(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("TestSolo5Net makes a network namespace and a tap device: run it as root")
	}
	spt := filepath.Join(solo5Tenders(t), "solo5-spt")
	wrapper := filepath.Join(goroot(t), "bin", "go_solo5_amd64_exec")
	img := buildSolo5(t, "netprobe")
	ns := newNetns(t)
	inNS := []string{"ip", "netns", "exec", ns.name}

	t.Run("serve", func(t *testing.T) {
		// The tender itself, as a user would run it: the guest's
		// environment leads its command line.
		g := startCommand(t, nil, append(inNS, spt, "--net:service0=tap0", img,
			"MIRAGO_IP=10.77.0.2/24,10.77.0.1", "--", "netprobe", "serve"))
		g.waitLine(t, `^listening on `, 2*time.Minute)
		var page, remote, bye string
		var down, up net.Conn
		ns.do(t, func() {
			get := func(path string) string { return httpGet(t, "10.77.0.2:80", path) }
			page, remote = get("/"), get("/remote")
			// Sockets made in the namespace stay in it: the
			// transfers below run outside ns.do.
			var err error
			if down, err = net.DialTimeout("tcp", "10.77.0.2:80", time.Minute); err != nil {
				t.Errorf("dial: %v", err)
			} else if up, err = net.DialTimeout("tcp", "10.77.0.2:80", time.Minute); err != nil {
				t.Errorf("dial: %v", err)
			}
		})
		if down != nil && up != nil {
			transfer100MB(t, down, up)
		}
		ns.do(t, func() { bye = httpGet(t, "10.77.0.2:80", "/quit") })
		if page != "hello, world\n" {
			t.Errorf("GET / = %q\nguest:\n%s", page, g.output())
		}
		if !regexp.MustCompile(`^10\.77\.0\.1:\d+ \*net\.TCPAddr\n$`).MatchString(remote) {
			t.Errorf("GET /remote = %q, want the host's address in the namespace", remote)
		}
		if bye != "bye\n" {
			t.Errorf("GET /quit = %q", bye)
		}
		g.wait(t, time.Minute)
	})

	t.Run("busy", func(t *testing.T) {
		// A goroutine that only yields keeps the scheduler from
		// going idle, where it waits on epoll: frames must still
		// reach the stack.
		g := startCommand(t, nil, append(inNS, spt, "--net:service0=tap0", img,
			"MIRAGO_IP=10.77.0.2/24", "--", "netprobe", "busy"))
		g.waitLine(t, `^listening on `, 2*time.Minute)
		var page, bye string
		ns.do(t, func() {
			page, bye = httpGet(t, "10.77.0.2:80", "/"), httpGet(t, "10.77.0.2:80", "/quit")
		})
		if page != "hello, world\n" || bye != "bye\n" {
			t.Errorf("GET / = %q, GET /quit = %q\nguest:\n%s", page, bye, g.output())
		}
		g.wait(t, time.Minute)
	})

	t.Run("echo", func(t *testing.T) {
		var tl net.Listener
		var ul net.PacketConn
		ns.do(t, func() {
			var err error
			if tl, err = net.Listen("tcp", "10.77.0.1:0"); err != nil {
				t.Error(err)
				return
			}
			if ul, err = net.ListenPacket("udp", "10.77.0.1:0"); err != nil {
				t.Error(err)
			}
		})
		if tl == nil || ul == nil {
			t.FailNow()
		}
		defer tl.Close()
		defer ul.Close()
		serveEcho(tl, ul)
		tport := tl.Addr().(*net.TCPAddr).Port
		uport := ul.LocalAddr().(*net.UDPAddr).Port
		g := startCommand(t, []string{"MIRAGO_TAP=tap0", "MIRAGO_IP=10.77.0.2/24", "MIRAGO_MAC=02:00:00:77:00:02"},
			append(inNS, wrapper, img, "echo",
				fmt.Sprintf("tcp=10.77.0.1:%d", tport), fmt.Sprintf("udp=10.77.0.1:%d", uport), "ping from spt"))
		g.wait(t, 2*time.Minute)
		wantEchoes(t, g.output(), "10.77.0.1", "10.77.0.2", tport, uport, "ping from spt")
	})

	t.Run("dhcp", func(t *testing.T) {
		// Without MIRAGO_IP the guest asks for an address by DHCP,
		// as on xen; a small server in the namespace offers one.
		var pc net.PacketConn
		ns.do(t, func() {
			var err error
			if pc, err = listenDHCP("tap0"); err != nil {
				t.Error(err)
			}
		})
		if pc == nil {
			t.FailNow()
		}
		defer pc.Close()
		go serveDHCP(pc, [4]byte{10, 77, 0, 1}, [4]byte{10, 77, 0, 50})
		g := startCommand(t, []string{"MIRAGO_TAP=tap0"}, append(inNS, wrapper, img, "ifaces"))
		g.wait(t, time.Minute)
		if out := g.output(); !regexp.MustCompile(`(?m)^2 eth0 .* addrs=\[10\.77\.0\.50/24 `).MatchString(out) {
			t.Errorf("want eth0 with the address DHCP offered, 10.77.0.50/24, in:\n%s", out)
		}
	})

	t.Run("ifaces", func(t *testing.T) {
		// Without MIRAGO_TAP the wrapper (as root) makes a tap for
		// the run; the guest gets no address on it, and the MAC
		// MIRAGO_MAC asks for.
		g := startCommand(t, []string{"MIRAGO_MAC=02:00:00:77:00:03"}, append(inNS, wrapper, img, "ifaces"))
		g.wait(t, time.Minute)
		out := g.output()
		if !regexp.MustCompile(`(?m)^2 eth0 mtu=1500 mac=02:00:00:77:00:03 flags=up\|broadcast\|multicast\|running `).MatchString(out) {
			t.Errorf("want eth0 with the MAC of MIRAGO_MAC in:\n%s", out)
		}
		if strings.Contains(out, "10.77.0.") {
			t.Errorf("want no IPv4 address on the wrapper's own tap:\n%s", out)
		}
		r := run(t, "", env(t), "ip", "-n", ns.name, "-o", "link", "show", "type", "tun")
		if strings.Contains(r.stdout, "mirago") {
			t.Errorf("the wrapper left its tap behind:\n%s", r)
		}
	})
}

// httpGet fetches path from the HTTP server at addr, on a connection of
// its own, and returns the body. It dials on the calling thread, so
// that inside netns.do the connection is in the namespace
// (http.Transport would dial on another goroutine).
func httpGet(t *testing.T, addr, path string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Minute)
	if err != nil {
		t.Errorf("dial: %v", err)
		return ""
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, addr)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Errorf("GET %s: %v", path, err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// transfer100MB fetches 100 MB of netprobe's blob from its server over
// down, and sends it the same over up, checking the SHA-256 at each
// end: the host's of what it read, the guest's of what it was sent.
func transfer100MB(t *testing.T, down, up net.Conn) {
	t.Helper()
	const size = 100 << 20
	want := blobSum(size)
	defer down.Close()
	defer up.Close()
	down.SetDeadline(time.Now().Add(5 * time.Minute))
	up.SetDeadline(time.Now().Add(5 * time.Minute))

	start := time.Now()
	fmt.Fprintf(down, "GET /blob?n=%d HTTP/1.1\r\nHost: guest\r\nConnection: close\r\n\r\n", size)
	resp, err := http.ReadResponse(bufio.NewReader(down), nil)
	if err != nil {
		t.Errorf("GET /blob: %v", err)
	} else {
		h := sha256.New()
		n, err := io.Copy(h, resp.Body)
		resp.Body.Close()
		if got := fmt.Sprintf("%x", h.Sum(nil)); n != size || err != nil || got != want {
			t.Errorf("GET /blob: %d bytes (%v), sha256 %s; want %d bytes, sha256 %s", n, err, got, size, want)
		}
		t.Logf("100 MB from the guest in %v", time.Since(start).Round(time.Millisecond))
	}

	start = time.Now()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeBlob(pw, size)) }()
	req, _ := http.NewRequest("POST", "http://guest/sum", pr)
	req.ContentLength = size
	req.Close = true
	if err := req.Write(up); err != nil {
		t.Errorf("POST /sum: %v", err)
		return
	}
	resp, err = http.ReadResponse(bufio.NewReader(up), req)
	if err != nil {
		t.Errorf("POST /sum: %v", err)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if w := fmt.Sprintf("%d %s\n", size, want); string(b) != w {
		t.Errorf("the guest's sum %q, want %q", b, w)
	}
	t.Logf("100 MB to the guest in %v", time.Since(start).Round(time.Millisecond))
}

// listenDHCP listens on UDP port 67 on the device dev, with broadcasts
// allowed: DHCP clients ask from 0.0.0.0 and are answered by broadcast.
func listenDHCP(dev string) (net.PacketConn, error) {
	lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		var err error
		c.Control(func(fd uintptr) {
			if err = syscall.SetsockoptString(int(fd), syscall.SOL_SOCKET, syscall.SO_BINDTODEVICE, dev); err == nil {
				err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
			}
		})
		return err
	}}
	return lc.ListenPacket(context.Background(), "udp4", "0.0.0.0:67")
}

// serveDHCP answers DHCPDISCOVER with an offer of addr/24 and
// DHCPREQUEST with an acknowledgment, an hour's lease, server as the
// router and name server, until pc is closed (RFC 2131, options from
// RFC 2132).
func serveDHCP(pc net.PacketConn, server, addr [4]byte) {
	b := make([]byte, 1500)
	bcast := &net.UDPAddr{IP: net.IPv4bcast, Port: 68}
	for {
		n, _, err := pc.ReadFrom(b)
		if err != nil {
			return
		}
		q := b[:n]
		if len(q) < 240 || q[0] != 1 || [4]byte(q[236:240]) != [4]byte{99, 130, 83, 99} {
			continue
		}
		// Option 53, the message type: DISCOVER (1) or REQUEST (3).
		typ := byte(0)
		for o := q[240:]; len(o) >= 2 && o[0] != 255; {
			if o[0] == 0 {
				o = o[1:]
				continue
			}
			if int(o[1])+2 > len(o) {
				break
			}
			if o[0] == 53 && o[1] == 1 {
				typ = o[2]
			}
			o = o[2+int(o[1]):]
		}
		var reply byte
		switch typ {
		case 1:
			reply = 2 // DHCPOFFER
		case 3:
			reply = 5 // DHCPACK
		default:
			continue
		}
		r := make([]byte, 240)
		r[0], r[1], r[2] = 2, 1, 6 // BOOTREPLY, Ethernet, 6-byte addresses
		copy(r[4:8], q[4:8])       // xid
		copy(r[10:12], q[10:12])   // flags
		copy(r[16:20], addr[:])    // yiaddr
		copy(r[20:24], server[:])  // siaddr
		copy(r[28:44], q[28:44])   // chaddr
		copy(r[236:240], q[236:240])
		r = append(r, 53, 1, reply)
		r = append(r, 54, 4, server[0], server[1], server[2], server[3])
		r = append(r, 51, 4, 0, 0, 0x0e, 0x10) // 3600 s
		r = append(r, 1, 4, 255, 255, 255, 0)
		r = append(r, 3, 4, server[0], server[1], server[2], server[3])
		r = append(r, 6, 4, server[0], server[1], server[2], server[3])
		r = append(r, 255)
		pc.WriteTo(r, bcast)
	}
}
