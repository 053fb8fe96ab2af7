// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Networking (issue 6): testdata/progs/netprobe, an ordinary Go
// program, in a guest with a virtio-net device on QEMU's user-mode
// network (the exec wrapper's MIRAGO_NET), its address from QEMU's
// DHCP server. The host reaches the guest's servers through hostfwd
// ports on 127.0.0.1; the guest reaches the host's as 10.0.2.2.

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// A guest is a netprobe running in the background.
type guest struct {
	cmd   *exec.Cmd
	lines chan string
	mu    sync.Mutex
	out   bytes.Buffer // everything it printed
	done  chan error
}

// startGuest boots netprobe with args; prefix, if set, runs the
// wrapper under another command (ip netns exec NS).
func startGuest(t *testing.T, e []string, prefix []string, args ...string) *guest {
	t.Helper()
	img := progImage(t, "netprobe")
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_amd64_exec")
	return startCommand(t, e, append(append(append([]string(nil), prefix...), wrapper, img), args...))
}

// startCommand runs argv, which boots netprobe, in the background.
func startCommand(t *testing.T, e []string, argv []string) *guest {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = t.TempDir()
	cmd.Env = env(t, append([]string{"MIRAGO_NOMOUNT=1", "MIRAGO_TIMEOUT=5m"}, e...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	g := &guest{cmd: cmd, lines: make(chan string, 100), done: make(chan error, 1)}
	cmd.Stderr = &lockedWriter{g}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			g.mu.Lock()
			g.out.WriteString(s.Text() + "\n")
			g.mu.Unlock()
			select {
			case g.lines <- s.Text():
			default:
			}
		}
		close(g.lines)
		g.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-g.done
	})
	return g
}

type lockedWriter struct{ g *guest }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.g.mu.Lock()
	defer w.g.mu.Unlock()
	return w.g.out.Write(p)
}

func (g *guest) output() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.out.String()
}

// waitLine waits for a line matching re and returns its submatches.
func (g *guest) waitLine(t *testing.T, re string, timeout time.Duration) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-g.lines:
			if !ok {
				t.Fatalf("guest ended before printing %q:\n%s", re, g.output())
			}
			if m := rx.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-deadline:
			t.Fatalf("no line %q within %v:\n%s", re, timeout, g.output())
		}
	}
}

// wait waits for the guest to exit and checks its status.
func (g *guest) wait(t *testing.T, timeout time.Duration) {
	t.Helper()
	select {
	case err := <-g.done:
		g.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("guest: %v:\n%s", err, g.output())
		}
	case <-time.After(timeout):
		t.Fatalf("guest still running after %v:\n%s", timeout, g.output())
	}
}

// get fetches url with c and returns the body of its 200 response; any
// other outcome fails the test, with the guest's output.
func (g *guest) get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v\nguest:\n%s", url, err, g.output())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	return string(b)
}

// pinnedClient returns an HTTPS client that accepts only the server
// certificate whose SHA-256 is cert (hex), the one a guest printed.
func pinnedClient(cert string) *http.Client {
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // the certificate is pinned below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if got := fmt.Sprintf("%x", sha256.Sum256(cs.PeerCertificates[0].Raw)); got != cert {
				return errors.New("certificate " + got + ", not the one the guest printed")
			}
			return nil
		},
	}}}
}

// uploadBlob posts netprobe's blob stream of n bytes to the server at
// base and checks the length and checksum it answers with.
func uploadBlob(t *testing.T, client *http.Client, base string, n int64) {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(writeBlob(pw, n))
	}()
	resp, err := client.Post(base+"/sum", "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if want := fmt.Sprintf("%d %s\n", n, blobSum(n)); string(b) != want {
		t.Errorf("guest's sum %q, want %q", b, want)
	}
}

// blobSum is the SHA-256 of netprobe's blob stream of n bytes.
func blobSum(n int64) string {
	h := sha256.New()
	writeBlob(h, n)
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestNetServe: the host talks to net/http in the guest: a page, the
// remote address the server sees, HTTPS with the guest's self-signed
// certificate, 100 MB each way with matching checksums.
func TestNetServe(t *testing.T) {
	httpPort, httpsPort := freePort(t), freePort(t)
	g := startGuest(t, []string{fmt.Sprintf("MIRAGO_NET=user,hostfwd=tcp:127.0.0.1:%d-:80,hostfwd=tcp:127.0.0.1:%d-:443", httpPort, httpsPort)}, nil, "serve")
	cert := g.waitLine(t, `^certificate ([0-9a-f]{64})$`, 2*time.Minute)[1]
	g.waitLine(t, `^listening on \[::\]:80 and \[::\]:443$`, time.Minute)
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	client := &http.Client{Timeout: 2 * time.Minute}

	get := func(t *testing.T, c *http.Client, url string) string {
		t.Helper()
		return g.get(t, c, url)
	}

	t.Run("page", func(t *testing.T) {
		if got := get(t, client, base+"/"); got != "hello, world\n" {
			t.Errorf("GET / = %q, want %q", got, "hello, world\n")
		}
		// QEMU's NAT makes the host 10.0.2.2; the server sees it as an
		// IPv4-mapped address on its dual-stack listener, as on Linux.
		if got := get(t, client, base+"/remote"); !regexp.MustCompile(`^10\.0\.2\.2:\d+ \*net\.TCPAddr\n$`).MatchString(got) {
			t.Errorf("GET /remote = %q, want 10.0.2.2:PORT *net.TCPAddr", got)
		}
	})

	t.Run("https", func(t *testing.T) {
		if got := get(t, pinnedClient(cert), fmt.Sprintf("https://127.0.0.1:%d/", httpsPort)); got != "hello, world\n" {
			t.Errorf("GET https / = %q", got)
		}
	})

	const size = 100 << 20
	t.Run("download", func(t *testing.T) {
		resp, err := client.Get(fmt.Sprintf("%s/blob?n=%d", base, size))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		h := sha256.New()
		start := time.Now()
		n, err := io.Copy(h, resp.Body)
		if err != nil || n != size {
			t.Fatalf("read %d bytes, %v; want %d", n, err, size)
		}
		if got, want := fmt.Sprintf("%x", h.Sum(nil)), blobSum(size); got != want {
			t.Errorf("sha256 %s, want %s", got, want)
		}
		t.Logf("100 MB from the guest in %v", time.Since(start).Round(time.Millisecond))
	})

	t.Run("upload", func(t *testing.T) {
		start := time.Now()
		uploadBlob(t, client, base, size)
		t.Logf("100 MB to the guest in %v", time.Since(start).Round(time.Millisecond))
	})

	if got := get(t, client, base+"/quit"); got != "bye\n" {
		t.Errorf("GET /quit = %q", got)
	}
	g.waitLine(t, `^served$`, time.Minute)
	g.wait(t, time.Minute)
}

// wantEchoes checks the output of netprobe's echo: one TCP and one UDP
// echo of msg from the host's servers at hostIP, ports tport and uport,
// received at the guest's address guestIP.
func wantEchoes(t *testing.T, out, hostIP, guestIP string, tport, uport int, msg string) {
	t.Helper()
	for _, want := range []string{
		fmt.Sprintf("tcp echo from %s:%d via %s:", hostIP, tport, guestIP),
		fmt.Sprintf("udp echo from %s:%d via %s:", hostIP, uport, guestIP),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if n := strings.Count(out, ": "+msg+"\n"); n != 2 {
		t.Errorf("%d echoes of the message, want 2:\n%s", n, out)
	}
}

// writeBlob writes netprobe's blob stream of n bytes to w: xorshift64*
// from seed 1, as netprobe's blob does.
func writeBlob(w io.Writer, n int64) error {
	buf := make([]byte, 64<<10)
	x := uint64(1)
	for n > 0 {
		m := min(int64(len(buf)), n)
		for i := 0; i < int(m); i += 8 {
			x ^= x >> 12
			x ^= x << 25
			x ^= x >> 27
			v := x * 0x2545F4914F6CDD1D
			for j := 0; j < 8 && i+j < int(m); j++ {
				buf[i+j] = byte(v >> (8 * j))
			}
		}
		if _, err := w.Write(buf[:m]); err != nil {
			return err
		}
		n -= m
	}
	return nil
}

// serveEcho echoes what arrives on tl's connections and ul's datagrams
// until they are closed.
func serveEcho(tl net.Listener, ul net.PacketConn) {
	go func() {
		for {
			c, err := tl.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	go func() {
		b := make([]byte, 1500)
		for {
			n, a, err := ul.ReadFrom(b)
			if err != nil {
				return
			}
			ul.WriteTo(b[:n], a)
		}
	}()
}

// TestNetEcho: the guest dials TCP and UDP echo servers on the host.
func TestNetEcho(t *testing.T) {
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	ul, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ul.Close()
	serveEcho(tl, ul)
	tport := tl.Addr().(*net.TCPAddr).Port
	uport := ul.LocalAddr().(*net.UDPAddr).Port
	g := startGuest(t, []string{"MIRAGO_NET=user"}, nil, "echo",
		fmt.Sprintf("tcp=10.0.2.2:%d", tport), fmt.Sprintf("udp=10.0.2.2:%d", uport), "ping from the guest")
	g.wait(t, 2*time.Minute)
	wantEchoes(t, g.output(), "10.0.2.2", "10.0.2.15", tport, uport, "ping from the guest")
}

// TestNetInterfaces: net.Interfaces lists lo and eth0 with their
// addresses, the IPv4 one from DHCP, in the forms Linux gives (IPv4
// addresses 16 bytes long, with 4-byte masks).
func TestNetInterfaces(t *testing.T) {
	g := startGuest(t, []string{"MIRAGO_NET=user"}, nil, "ifaces")
	g.wait(t, 2*time.Minute)
	out := g.output()
	for _, re := range []string{
		`(?m)^1 lo mtu=65536 mac= flags=up\|loopback\|running addrs=\[127\.0\.0\.1/8 ::1/128\] lens=\[16/4 16/16\]$`,
		`(?m)^2 eth0 mtu=1500 mac=52:54:00:12:34:56 flags=up\|broadcast\|multicast\|running addrs=\[10\.0\.2\.15/24 fe80::5054:ff:fe12:3456/64.*\] lens=\[16/4 16/16.*\]$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("no line matching %s in:\n%s", re, out)
		}
	}
}

// A netns is a network namespace the test made, holding tap0 with
// 10.77.0.1/24 for a guest to attach to; the addresses exist only in
// the namespace.
type netns struct {
	name string
}

func newNetns(t *testing.T) *netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("making a network namespace and a tap device needs root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatal("the ip command (Debian's iproute2) is needed for the tap tests")
	}
	ns := &netns{name: fmt.Sprintf("mirago-test-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)}
	if out, err := exec.Command("ip", "netns", "add", ns.name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", ns.name, err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns.name).Run() })
	ns.ip(t, "link", "set", "lo", "up")
	ns.ip(t, "tuntap", "add", "dev", "tap0", "mode", "tap")
	ns.ip(t, "addr", "add", "10.77.0.1/24", "dev", "tap0")
	ns.ip(t, "link", "set", "tap0", "up")
	return ns
}

// ip runs the ip command with args in the namespace and returns its
// output; a failure ends the test.
func (ns *netns) ip(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", ns.name}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// do runs f on a thread that has entered the namespace, so that the
// sockets f makes are in it. The thread is not reused: the goroutine
// ends locked to it.
func (ns *netns) do(t *testing.T, f func()) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		fd, err := syscall.Open("/run/netns/"+ns.name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer syscall.Close(fd)
		const sysSetns = 308 // linux/amd64
		if _, _, e := syscall.RawSyscall(sysSetns, uintptr(fd), syscall.CLONE_NEWNET, 0); e != 0 {
			errc <- fmt.Errorf("setns: %v", e)
			return
		}
		f()
		errc <- nil
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// tapGuest boots netprobe inside ns on tap0 with a static address.
func tapGuest(t *testing.T, ns *netns, args ...string) *guest {
	return startGuest(t, []string{
		"MIRAGO_NET=tap,ifname=tap0,script=no,downscript=no",
		"MIRAGO_IP=10.77.0.2/24,10.77.0.1",
		"MIRAGO_DNS=10.77.0.1",
	}, []string{"ip", "netns", "exec", ns.name}, args...)
}

// serveDNS answers A queries for name with addr on pc, and every other
// query with no records, until pc is closed.
func serveDNS(pc net.PacketConn, name string, addr [4]byte) {
	b := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(b)
		if err != nil {
			return
		}
		q := b[:n]
		if len(q) < 12 {
			continue
		}
		// The question: labels, then type and class.
		i := 12
		var labels []string
		for i < len(q) && q[i] != 0 && i+1+int(q[i]) <= len(q) {
			labels = append(labels, string(q[i+1:i+1+int(q[i])]))
			i += 1 + int(q[i])
		}
		if i+5 > len(q) {
			continue
		}
		qtype := int(q[i+1])<<8 | int(q[i+2])
		end := i + 5
		resp := append([]byte(nil), q[:end]...)
		resp[2], resp[3] = 0x81, 0x80 // a response, recursion desired and available, no error
		resp[6], resp[7] = 0, 0       // answers
		resp[8], resp[9] = 0, 0       // authority
		resp[10], resp[11] = 0, 0     // additional: the client's OPT record is dropped
		if qtype == 1 && strings.EqualFold(strings.Join(labels, "."), name) {
			resp[7] = 1
			resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
			resp = append(resp, addr[:]...)
		}
		pc.WriteTo(resp, from)
	}
}

// TestNetTapDNS: on a tap device in a network namespace, the guest
// resolves a name through net.LookupHost and the pure-Go resolver,
// asking a DNS server the test runs in the namespace, which
// MIRAGO_DNS names.
func TestNetTapDNS(t *testing.T) {
	ns := newNetns(t)
	var pc net.PacketConn
	ns.do(t, func() {
		var err error
		pc, err = net.ListenPacket("udp", "10.77.0.1:53")
		if err != nil {
			t.Error(err)
		}
	})
	if pc == nil {
		t.FailNow()
	}
	defer pc.Close()
	go serveDNS(pc, "probe.mirago.test", [4]byte{10, 77, 0, 42})
	g := tapGuest(t, ns, "lookup", "probe.mirago.test")
	g.wait(t, 2*time.Minute)
	if want := "lookup probe.mirago.test: 10.77.0.42\n"; !strings.Contains(g.output(), want) {
		t.Errorf("want %q in:\n%s", want, g.output())
	}
}

// TestNetTapServe: the host fetches a page from the guest's server on
// a tap device in a network namespace, with no NAT in between.
func TestNetTapServe(t *testing.T) {
	ns := newNetns(t)
	g := tapGuest(t, ns, "serve")
	g.waitLine(t, `^listening on `, 2*time.Minute)
	var page, remote, bye string
	ns.do(t, func() {
		// Dial on this thread: http.Transport would dial on another
		// goroutine, outside the namespace.
		get := func(path string) string {
			c, err := net.DialTimeout("tcp", "10.77.0.2:80", time.Minute)
			if err != nil {
				t.Errorf("dial: %v", err)
				return ""
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(time.Minute))
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: 10.77.0.2\r\nConnection: close\r\n\r\n", path)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Errorf("GET %s: %v", path, err)
				return ""
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		page, remote, bye = get("/"), get("/remote"), get("/quit")
	})
	if page != "hello, world\n" {
		t.Errorf("GET / = %q", page)
	}
	if !regexp.MustCompile(`^10\.77\.0\.1:\d+ \*net\.TCPAddr\n$`).MatchString(remote) {
		t.Errorf("GET /remote = %q, want the host's address in the namespace", remote)
	}
	if bye != "bye\n" {
		t.Errorf("GET /quit = %q", bye)
	}
	g.wait(t, time.Minute)
}

// TestNetTapAnnounce: a guest that takes an address announces it with
// ARP, so a host that still maps the address to another MAC address,
// as it would after an earlier run with a new one, takes the guest's
// at once instead of sending to the old one until its entry expires.
//
// The host's address is on a bridge, as on a host that runs several
// guests, with one end of a veth pair as a second port: Linux drops a
// device's neighbour entries when it loses its carrier, as tap0 does
// between two runs, and the veth keeps the bridge's carrier.
func TestNetTapAnnounce(t *testing.T) {
	ns := newNetns(t)
	for _, args := range [][]string{
		{"addr", "del", "10.77.0.1/24", "dev", "tap0"},
		{"link", "add", "br0", "type", "bridge"},
		{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"link", "set", "tap0", "master", "br0"},
		{"link", "set", "v0", "master", "br0"},
		{"addr", "add", "10.77.0.1/24", "dev", "br0"},
		{"link", "set", "v1", "up"},
		{"link", "set", "v0", "up"},
		{"link", "set", "br0", "up"},
	} {
		ns.ip(t, args...)
	}
	const guestMAC = "52:54:00:12:34:56" // QEMU's default
	neigh := func(args ...string) string {
		t.Helper()
		return ns.ip(t, append([]string{"neigh"}, args...)...)
	}
	neigh("replace", "10.77.0.2", "dev", "br0", "lladdr", "02:00:00:00:00:99", "nud", "stale")
	before := neigh("show", "10.77.0.2", "dev", "br0")
	if !strings.Contains(before, "02:00:00:00:00:99") {
		t.Fatalf("the host's entry before the boot is %q, want the old MAC address", before)
	}
	g := tapGuest(t, ns, "serve")
	g.waitLine(t, `^listening on `, 2*time.Minute)
	// The announcement leaves before the line; QEMU may write the
	// console first, so give the host's kernel a moment.
	var after string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if after = neigh("show", "10.77.0.2", "dev", "br0"); strings.Contains(after, guestMAC) {
			break
		}
	}
	t.Logf("the host's entry for 10.77.0.2: before the boot %q, after %q", before, after)
	if !strings.Contains(after, "lladdr "+guestMAC) {
		t.Errorf("the host's entry for 10.77.0.2 is %q after the guest took the address, want lladdr %s", after, guestMAC)
	}
	ns.do(t, func() {
		c, err := net.DialTimeout("tcp", "10.77.0.2:80", 10*time.Second)
		if err != nil {
			t.Errorf("dial: %v", err)
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Minute))
		fmt.Fprintf(c, "GET /quit HTTP/1.1\r\nHost: 10.77.0.2\r\nConnection: close\r\n\r\n")
		io.Copy(io.Discard, c)
	})
	g.wait(t, time.Minute)
}

// TestNetPCI: on QEMU's q35 and pc machines the network device is
// virtio-net on PCI, found on bus 0, with its registers in the BARs the
// firmware assigned and its interrupt on the INTx line the firmware
// routed. QEMU runs directly: the exec wrapper boots microvm.
func TestNetPCI(t *testing.T) {
	for _, machine := range []string{"q35", "pc"} {
		t.Run(machine, func(t *testing.T) {
			port := freePort(t)
			g := startCommand(t, nil, []string{"qemu-system-x86_64",
				"-M", machine, "-accel", "tcg", "-cpu", "max", "-m", "256M",
				"-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
				"-kernel", progImage(t, "netprobe"), "-append", tscWord() + "-- netprobe serve",
				"-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
				"-netdev", fmt.Sprintf("user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80", port),
				"-device", "virtio-net-pci,netdev=n0"})
			g.waitLine(t, `listening on `, 2*time.Minute)
			c := &http.Client{Timeout: time.Minute}
			for _, path := range []string{"/", "/blob?n=10000000", "/quit"} {
				resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
				if err != nil {
					t.Fatalf("GET %s: %v\n%s", path, err, g.output())
				}
				h := sha256.New()
				n, err := io.Copy(h, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("GET %s: %s, %d bytes, %v", path, resp.Status, n, err)
				}
				if path == "/blob?n=10000000" {
					if got, want := fmt.Sprintf("%x", h.Sum(nil)), blobSum(10000000); got != want {
						t.Errorf("blob sha256 %s, want %s", got, want)
					}
				}
			}
			g.waitLine(t, `^served$`, time.Minute)
			// isa-debug-exit makes QEMU exit with 1 for status 0,
			// which the scanner's Wait reports as an error.
			select {
			case err := <-g.done:
				g.done <- err
				if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
					t.Errorf("QEMU: %v, want exit status 1 (guest status 0):\n%s", err, g.output())
				}
			case <-time.After(time.Minute):
				t.Fatalf("guest still running:\n%s", g.output())
			}
		})
	}
}

// TestNetLoopback makes connections over 127.0.0.1 and ::1 from eight
// goroutines at once, each with a deadline: a readiness event the
// netpoller loses shows as a timeout.
func TestNetLoopback(t *testing.T) {
	r := stdprobe(t, "netprobe", t.TempDir(), []string{"MIRAGO_NOMOUNT=1"}, "loopback", "400")
	wantRun(t, r, 0,
		"loopback 127.0.0.1: 400 connections, 0 failed\n",
		"loopback ::1: 400 connections, 0 failed\n")
}
