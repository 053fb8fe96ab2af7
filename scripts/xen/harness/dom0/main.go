// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Mirago-dom0 is the agent in the test harness's dom0 (see package
// harness). It is built as a static linux/amd64 binary and put in the
// dom0 initramfs as /bin/mirago-dom0.
//
//	mirago-dom0 run JOB.json
//
// creates the job's guests one after another with xl, copies each
// guest's console (xenconsoled's log) to the host, runs a guest's dom0
// side script alongside it, waits for the domain to end or its timeout
// and reports how it ended. Everything it reports is a line
//
//	@mirago KIND NAME [TEXT]
//
// on a virtio serial port of QEMU's named mirago.agent (a channel of
// its own, and much faster than a 16550 under TCG) or, if there is none,
// on the console, which Xen's serial line shares with Xen's own
// messages.
//
// The other commands are tools for side scripts, since busybox has no
// DNS server and its nc and wget are rough for checks:
//
//	mirago-dom0 tcp-echo ADDR          echo every TCP connection's bytes back
//	mirago-dom0 udp-echo ADDR          echo every UDP datagram back
//	mirago-dom0 dns ADDR NAME=IP...    answer A queries for NAME with IP
//	mirago-dom0 get [-n N] [-t D] URL  GET URL (N attempts, D each), print "status S bytes B sha256 H"
//	mirago-dom0 post [-t D] -n B URL   POST B zero bytes to URL, print "status S body BODY"
//	mirago-dom0 wait-tcp ADDR D        wait until ADDR accepts a connection, at most D
//	mirago-dom0 first [-t D] URL       poll GET URL until it answers 200, print "first C R" (ms since xl create, since unpause)
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "run":
		if len(args) != 1 {
			usage()
		}
		err = runJob(args[0])
	case "tcp-echo":
		if len(args) != 1 {
			usage()
		}
		err = tcpEcho(args[0])
	case "udp-echo":
		if len(args) != 1 {
			usage()
		}
		err = udpEcho(args[0])
	case "dns":
		if len(args) < 1 {
			usage()
		}
		err = dnsServer(args[0], args[1:])
	case "get":
		err = get(args)
	case "post":
		err = post(args)
	case "first":
		err = first(args)
	case "wait-tcp":
		if len(args) != 2 {
			usage()
		}
		err = waitTCP(args[0], args[1])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "mirago-dom0 %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: mirago-dom0 run JOB | tcp-echo ADDR | udp-echo ADDR | dns ADDR NAME=IP... | get [-n N] [-t D] URL | post [-t D] -n BYTES URL | wait-tcp ADDR D | first [-t D] URL")
	os.Exit(2)
}

// job is what the host put in /job/job.json (harness.agentJob).
type job struct {
	Guests []guest `json:"guests"`
}

type guest struct {
	Name          string `json:"name"`
	Config        string `json:"config"` // xl configuration file
	IP            string `json:"ip,omitempty"`
	Side          string `json:"side,omitempty"` // shell script to run alongside
	SideEndsGuest bool   `json:"side_ends_guest,omitempty"`
	Timeout       string `json:"timeout"`
}

// reporter writes report lines to the host, one write per line so that
// lines from several goroutines never mix.
type reporter struct {
	mu sync.Mutex
	w  io.Writer
}

func (r *reporter) report(kind, name, text string) {
	line := "@mirago " + kind + " " + name
	if text != "" {
		line += " " + strings.ReplaceAll(text, "\r", "")
	}
	r.mu.Lock()
	r.w.Write([]byte(line + "\n"))
	r.mu.Unlock()
}

// openChannel opens the line to the host: the virtio serial port named
// mirago.agent, or else the console.
func openChannel() (io.Writer, string) {
	names, _ := filepath.Glob("/sys/class/virtio-ports/*/name")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil || strings.TrimSpace(string(b)) != "mirago.agent" {
			continue
		}
		dev := "/dev/" + filepath.Base(filepath.Dir(n))
		if f, err := os.OpenFile(dev, os.O_WRONLY, 0); err == nil {
			return f, dev
		}
	}
	if f, err := os.OpenFile("/dev/console", os.O_WRONLY, 0); err == nil {
		return f, f.Name()
	}
	return os.Stdout, "stdout"
}

func runJob(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var j job
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	w, channel := openChannel()
	r := &reporter{w: w}
	r.report("ready", "dom0", uptime()+" channel="+channel)
	for _, g := range j.Guests {
		runGuest(r, g)
	}
	r.report("done", "dom0", uptime())
	return nil
}

func uptime() string {
	b, _ := os.ReadFile("/proc/uptime")
	up, _, _ := strings.Cut(string(b), " ")
	return "uptime=" + strings.TrimSpace(up)
}

// shutdownRe matches what xl create -F prints when the domain shuts
// down (tools/xl/xl_vmcontrol.c).
var shutdownRe = regexp.MustCompile(`Domain (\d+) has shut down, reason code (\d+)`)

// runningRe matches what xl create -F prints once it has unpaused the
// domain: the guest runs from then on.
var runningRe = regexp.MustCompile(`^Waiting for domain .* to die`)

// runningFile is where the agent notes when a guest began to run, for
// first.
func runningFile(name string) string { return "/run/mirago/" + name + ".running" }

func markRunning(name string) {
	os.MkdirAll("/run/mirago", 0o755)
	os.WriteFile(runningFile(name), []byte(strconv.FormatInt(time.Now().UnixNano(), 10)), 0o644)
}

// nmiWait is how long a guest that timed out has to print its
// goroutines after an NMI before it is destroyed: generous, as the
// console ring is slow under nested TCG and a dump can be long.
const nmiWait = 10 * time.Second

// shutdownReasons are Xen's SHUTDOWN_* codes (xen/include/public/sched.h).
var shutdownReasons = []string{"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"}

func runGuest(r *reporter, g guest) {
	timeout, err := time.ParseDuration(g.Timeout)
	if err != nil || timeout <= 0 {
		timeout = 5 * time.Minute
	}
	deadline := time.Now().Add(timeout)
	r.report("create", g.Name, uptime())

	logPath := "/var/log/xen/console/guest-" + g.Name + ".log"
	follow := newFollower(r, g.Name, logPath)
	// On Arm, xenconsoled logs a domain's emulated UART (vuart) apart:
	// what a guest writes before it finds its console ring, such as
	// why it could not boot.
	vuart := newFollower(r, g.Name, "/var/log/xen/console/guest-"+g.Name+"-vuart0.log")

	created := time.Now()
	xl := exec.Command("xl", "create", "-F", g.Config)
	pr, pw := io.Pipe()
	xl.Stdout, xl.Stderr = pw, pw
	// xl's children (hotplug scripts, the console client) may hold
	// the output pipe after xl is gone.
	xl.WaitDelay = 5 * time.Second
	if err := xl.Start(); err != nil {
		r.report("end", g.Name, "reason=xl-failed "+err.Error())
		return
	}
	// The follower runs from the start: a guest that ends at once may
	// be gone before xl domid can name it, and its log is still there.
	go follow.run()
	go vuart.run()
	var reason, shutDomid string
	var reasonMu sync.Mutex
	xlOut := make(chan struct{})
	go func() {
		defer close(xlOut)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			r.report("xl", g.Name, line)
			if runningRe.MatchString(line) {
				markRunning(g.Name)
			}
			if m := shutdownRe.FindStringSubmatch(line); m != nil {
				code, _ := strconv.Atoi(m[2])
				reasonMu.Lock()
				shutDomid = m[1]
				if code < len(shutdownReasons) {
					reason = shutdownReasons[code]
				} else {
					reason = "code-" + m[2]
				}
				reasonMu.Unlock()
			}
		}
	}()
	// xlDone is closed once xl has exited and all its output is read;
	// xlErr is then its error.
	xlDone := make(chan struct{})
	var xlErr error
	go func() {
		xlErr = xl.Wait()
		pw.Close()
		<-xlOut
		close(xlDone)
	}()

	// The domain ID, for the host to tell this guest's "(dN)" lines on
	// Xen's serial from others'. A guest that ends at once may be gone
	// before xl domid names it; xl's shutdown line names it then.
	domid := ""
	for i := 0; i < 300 && domid == ""; i++ {
		if out, err := xlRun(5*time.Second, "domid", g.Name); err == nil {
			domid = strings.TrimSpace(string(out))
			break
		}
		select {
		case <-xlDone:
			reasonMu.Lock()
			domid = shutDomid
			reasonMu.Unlock()
			if domid == "" {
				vuart.stop()
				follow.stop()
				r.report("end", g.Name, fmt.Sprintf("reason=xl-failed xl create: %v", xlErr))
				return
			}
		case <-time.After(100 * time.Millisecond):
		}
	}
	r.report("domid", g.Name, domid)

	sideDone := make(chan struct{})
	var side *exec.Cmd
	if g.Side != "" {
		side = exec.Command("/bin/sh", g.Side)
		// Its own process group, so that what it leaves running in the
		// background (a server for the guest) ends with the guest; and
		// a bounded Wait, since such a process keeps the output pipe.
		side.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		side.WaitDelay = 2 * time.Second
		side.Env = append(os.Environ(),
			"GUEST_NAME="+g.Name, "GUEST_DOMID="+domid, "GUEST_IP="+g.IP, "DOM0_IP=10.99.0.1",
			"GUEST_CREATED="+strconv.FormatInt(created.UnixNano(), 10))
		side.Dir = "/tmp"
		sp, sw := io.Pipe()
		side.Stdout, side.Stderr = sw, sw
		if err := side.Start(); err != nil {
			r.report("side-exit", g.Name, "-1 "+err.Error())
			close(sideDone)
		} else {
			go func() {
				sc := bufio.NewScanner(sp)
				for sc.Scan() {
					r.report("side", g.Name, sc.Text())
				}
			}()
			go func() {
				err := side.Wait()
				sw.Close()
				// ErrWaitDelay only says that something the script
				// started still holds its output.
				code := -1
				if side.ProcessState != nil && (err == nil || errors.Is(err, exec.ErrWaitDelay) || errors.As(err, new(*exec.ExitError))) {
					code = side.ProcessState.ExitCode()
				}
				r.report("side-exit", g.Name, strconv.Itoa(code))
				if g.SideEndsGuest {
					xlRun(time.Minute, "destroy", g.Name)
				}
				close(sideDone)
			}()
		}
	} else {
		close(sideDone)
	}

	timedOut := false
	select {
	case <-xlDone:
	case <-time.After(time.Until(deadline)):
		timedOut = true
		// An NMI first: a Mirago guest takes it as SIGQUIT, prints
		// its goroutines on the console and shuts down.
		xlRun(10*time.Second, "trigger", g.Name, "nmi")
		select {
		case <-xlDone:
		case <-time.After(nmiWait):
			xlRun(time.Minute, "destroy", g.Name)
			select {
			case <-xlDone:
			case <-time.After(30 * time.Second):
				xl.Process.Kill()
			}
		}
	}
	// A side script outlives its guest only until the deadline.
	select {
	case <-sideDone:
	case <-time.After(max(time.Until(deadline), time.Second)):
		timedOut = true
	}
	if side != nil && side.Process != nil {
		syscall.Kill(-side.Process.Pid, syscall.SIGKILL)
		select {
		case <-sideDone:
		case <-time.After(5 * time.Second):
		}
	}
	vuart.stop()
	follow.stop()

	reasonMu.Lock()
	rs := reason
	reasonMu.Unlock()
	switch {
	case timedOut:
		rs = "timeout"
	case rs == "":
		rs = "destroyed"
	}
	r.report("end", g.Name, "reason="+rs+" "+uptime())
}

// xlRun runs xl with args and kills it after timeout: a hung xl (a
// hotplug script that never returns) must not hang the job.
func xlRun(timeout time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xl", args...)
	cmd.WaitDelay = time.Second
	return cmd.Output()
}

// follower copies a console log file to the host line by line as it
// grows.
type follower struct {
	r    *reporter
	name string
	path string
	off  int64
	part []byte
	quit chan struct{}
	done chan struct{}
}

func newFollower(r *reporter, name, path string) *follower {
	// A log left by an earlier guest of the same name is not ours.
	os.Remove(path)
	return &follower{r: r, name: name, path: path, quit: make(chan struct{}), done: make(chan struct{})}
}

func (f *follower) run() {
	defer close(f.done)
	for {
		f.poll()
		select {
		case <-f.quit:
			// xenconsoled may still be writing the last of the ring:
			// read until the log has stopped growing for a while.
			for quiet := 0; quiet < 4; {
				time.Sleep(100 * time.Millisecond)
				if f.poll() == 0 {
					quiet++
				} else {
					quiet = 0
				}
			}
			if len(f.part) > 0 {
				f.r.report("console", f.name, string(f.part))
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop ends run after a last read; it may be called if run never ran.
func (f *follower) stop() {
	select {
	case <-f.quit:
		return
	default:
	}
	close(f.quit)
	// The host's channel is a serial line: a guest's last burst of
	// output may take a while to cross it, and it must all be across
	// before the guest's end is reported.
	select {
	case <-f.done:
	case <-time.After(2 * time.Minute):
	}
}

// poll reports the log's complete new lines and returns how many bytes
// it read.
func (f *follower) poll() int {
	fh, err := os.Open(f.path)
	if err != nil {
		return 0
	}
	defer fh.Close()
	if _, err := fh.Seek(f.off, io.SeekStart); err != nil {
		return 0
	}
	buf, _ := io.ReadAll(fh)
	f.off += int64(len(buf))
	f.part = append(f.part, buf...)
	for {
		i := bytes.IndexByte(f.part, '\n')
		if i < 0 {
			break
		}
		f.r.report("console", f.name, string(f.part[:i]))
		f.part = f.part[i+1:]
	}
	return len(buf)
}

func tcpEcho(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			io.Copy(c, c)
			c.Close()
		}()
	}
}

func udpEcho(addr string) error {
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		return err
	}
	buf := make([]byte, 65536)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			return err
		}
		c.WriteTo(buf[:n], from)
	}
}

// dnsServer answers A queries for the given names over UDP; anything
// else gets NXDOMAIN. It is just enough for a guest's resolver test.
func dnsServer(addr string, pairs []string) error {
	names := map[string]net.IP{}
	for _, p := range pairs {
		name, ip, ok := strings.Cut(p, "=")
		addr := net.ParseIP(ip).To4()
		if !ok || addr == nil {
			return fmt.Errorf("%q is not NAME=IPv4", p)
		}
		names[strings.ToLower(strings.TrimSuffix(name, "."))] = addr
	}
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		return err
	}
	buf := make([]byte, 512)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			return err
		}
		if resp := dnsAnswer(buf[:n], names); resp != nil {
			c.WriteTo(resp, from)
		}
	}
}

// dnsAnswer returns the response to one query message (RFC 1035 4.1),
// or nil for what is not a single-question query.
func dnsAnswer(q []byte, names map[string]net.IP) []byte {
	if len(q) < 12 || q[2]&0x80 != 0 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil
	}
	var labels []string
	i := 12
	for {
		if i >= len(q) {
			return nil
		}
		l := int(q[i])
		i++
		if l == 0 {
			break
		}
		if l > 63 || i+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i:i+l]))
		i += l
	}
	if i+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i:])
	question := q[12 : i+4]
	resp := append([]byte{}, q[:2]...)
	ip, ok := names[strings.ToLower(strings.Join(labels, "."))]
	flags := uint16(0x8400) | uint16(q[2]&1)<<8 // QR, AA, RD copied
	ancount := uint16(0)
	switch {
	case !ok:
		flags |= 3 // NXDOMAIN
	case qtype == 1:
		ancount = 1
	}
	resp = binary.BigEndian.AppendUint16(resp, flags)
	resp = binary.BigEndian.AppendUint16(resp, 1)
	resp = binary.BigEndian.AppendUint16(resp, ancount)
	resp = binary.BigEndian.AppendUint32(resp, 0)
	resp = append(resp, question...)
	if ancount == 1 {
		resp = append(resp, 0xc0, 12) // the name in the question
		resp = binary.BigEndian.AppendUint16(resp, 1)
		resp = binary.BigEndian.AppendUint16(resp, 1)
		resp = binary.BigEndian.AppendUint32(resp, 60)
		resp = binary.BigEndian.AppendUint16(resp, 4)
		resp = append(resp, ip...)
	}
	return resp
}

func get(args []string) error {
	fs := flag.NewFlagSet("get", flag.ContinueOnError)
	n := fs.Int("n", 1, "attempts, a second apart")
	t := fs.Duration("t", 30*time.Second, "timeout of each attempt")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("want one URL")
	}
	client := &http.Client{Timeout: *t}
	var err error
	for i := 0; i < *n; i++ {
		if i > 0 {
			time.Sleep(time.Second)
		}
		var resp *http.Response
		resp, err = client.Get(fs.Arg(0))
		if err != nil {
			continue
		}
		h := sha256.New()
		var nb int64
		nb, err = io.Copy(h, resp.Body)
		resp.Body.Close()
		if err != nil {
			continue
		}
		fmt.Printf("status %d bytes %d sha256 %x\n", resp.StatusCode, nb, h.Sum(nil))
		return nil
	}
	return err
}

// post sends BYTES zero bytes to URL and prints the status and the
// response's body, for an upload a guest checks (netprobe's /sum).
func post(args []string) error {
	fs := flag.NewFlagSet("post", flag.ContinueOnError)
	n := fs.Int64("n", 0, "bytes to send")
	t := fs.Duration("t", 30*time.Second, "timeout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("want one URL")
	}
	client := &http.Client{Timeout: *t}
	resp, err := client.Post(fs.Arg(0), "application/octet-stream", io.LimitReader(zeros{}, *n))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if err != nil {
		return err
	}
	fmt.Printf("status %d body %s\n", resp.StatusCode, strings.TrimSpace(string(body)))
	return nil
}

// first polls GET URL every 5 ms until the answer is 200 and prints
// "first C R": the milliseconds since the guest's xl create began
// ($GUEST_CREATED, which the agent sets for side scripts) and since xl
// unpaused the domain ("-" if unknown). C includes the toolstack's work
// (building the domain, the vif's hotplug script); R is the guest's own
// boot to first response.
func first(args []string) error {
	fs := flag.NewFlagSet("first", flag.ContinueOnError)
	t := fs.Duration("t", 2*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("want one URL")
	}
	ns, err := strconv.ParseInt(os.Getenv("GUEST_CREATED"), 10, 64)
	if err != nil {
		return errors.New("GUEST_CREATED is not set: run it from a side script")
	}
	now, err := pollFirst(fs.Arg(0), time.Now().Add(*t))
	if err != nil {
		return err
	}
	// Written when xl unpaused the domain, usually after this command
	// started.
	var running time.Time
	if b, err := os.ReadFile(runningFile(os.Getenv("GUEST_NAME"))); err == nil {
		if ns, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			running = time.Unix(0, ns)
		}
	}
	r := "-"
	if !running.IsZero() {
		r = fmt.Sprintf("%.1f", float64(now.Sub(running))/1e6)
	}
	fmt.Printf("first %.1f %s\n", float64(now.Sub(time.Unix(0, ns)))/1e6, r)
	return nil
}

// pollFirst GETs url every 5 ms, each time on a new connection, until
// the answer is 200, and returns when that answer ended; it gives up
// at deadline.
func pollFirst(url string, deadline time.Time) (time.Time, error) {
	// A short dial timeout: a SYN lost while the guest's stack comes up
	// would otherwise wait a second for its retransmission. Fresh
	// connections each time, as a client that meets the server first.
	client := &http.Client{
		Timeout: 2 * time.Second,
		Transport: &http.Transport{
			DialContext:       (&net.Dialer{Timeout: 200 * time.Millisecond}).DialContext,
			DisableKeepAlives: true,
		},
	}
	start := time.Now()
	for {
		resp, err := client.Get(url)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
			if err == nil {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("no good answer from %s within %v: %v", url, time.Since(start).Round(time.Millisecond), err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// zeros reads as an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func waitTCP(addr, d string) error {
	dur, err := time.ParseDuration(d)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(dur)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not reachable within %v: %v", addr, dur, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
