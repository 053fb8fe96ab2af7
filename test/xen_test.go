// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xenharness

// The tests on real Xen (scripts/xen: Xen 4.17 and a Linux dom0 nested
// in QEMU). Each Xen boot costs about 20 s, so they are not part of
// `make test` but of `make test-xen`, which builds the harness first
// and runs
//
//	go test -tags xenharness -run '^TestXen' -v ./test/
//
// xen_mirago_test.go has the tests of GOOS=xen programs as Xen domains:
// the runtime's Xen platform and Xen's PV devices.

package test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mirago.dev/mirago/scripts/xen/harness"
)

// barePVH is a guest without Go or Linux: 32-bit code entered through
// the PVH entry note, which writes to Xen's debug port 0xE9 a greeting,
// the first 6 bytes of its first boot module if it has one, and its
// command line, each as a line, and then ends with cli; hlt, which Xen
// takes for a poweroff. A command line starting with "s" makes it spin
// until destroyed. Its command line "mirago: exit status N" is the
// status protocol's last line, which lets the tests drive the harness's
// statuses without a Go runtime.
const barePVH = `
	.code32
	.section .text
	.globl _start
_start:
	cli
	mov	$stack_top, %esp
	mov	%ebx, %ebp		/* hvm_start_info */
	mov	$hello, %esi
	call	puts
	cmpl	$0x336ec578, (%ebp)	/* XEN_HVM_START_MAGIC_VALUE */
	jne	halt
	mov	12(%ebp), %ecx		/* nr_modules */
	test	%ecx, %ecx
	jz	1f
	mov	$module, %esi
	call	puts
	mov	16(%ebp), %edi		/* modlist_paddr, below 4 GiB */
	mov	(%edi), %esi		/* the first module's paddr */
	mov	$6, %ecx
2:	lodsb
	outb	%al, $0xe9
	loop	2b
	mov	$'\n', %al
	outb	%al, $0xe9
1:	mov	24(%ebp), %esi		/* cmdline_paddr */
	test	%esi, %esi
	jz	halt
	cmpb	$'s', (%esi)
	je	spin
	call	puts
	mov	$'\n', %al
	outb	%al, $0xe9
halt:	hlt
	jmp	halt
spin:	jmp	spin
puts:	lodsb
	test	%al, %al
	jz	3f
	outb	%al, $0xe9
	jmp	puts
3:	ret
	.section .rodata
hello:	.asciz "xen-test: hello from a bare PVH guest\n"
module:	.asciz "xen-test: module "
	.section .bss
	.balign 16
	.skip 4096
stack_top:
	.section .note.Xen, "a", @note
	.balign 4
	.long 4, 4, 18		/* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.long _start
	.balign 4
`

const barePVHLink = `
OUTPUT_FORMAT("elf32-i386")
ENTRY(_start)
PHDRS { text PT_LOAD FILEHDR PHDRS; note PT_NOTE; }
SECTIONS {
  . = 0x100000 + SIZEOF_HEADERS;
  .text : { *(.text) } :text
  .rodata : { *(.rodata) } :text
  .note.Xen : { *(.note.Xen) } :text :note
  .bss : { *(.bss) } :text
}
`

// bareImage assembles barePVH with the host's binutils.
func bareImage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"g.S": barePVH, "g.ld": barePVHLink} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range [][]string{
		{"as", "--32", "-o", "g.o", "g.S"},
		{"ld", "-m", "elf_i386", "-T", "g.ld", "-nostdlib", "--no-warn-rwx-segments", "-o", "g.elf", "g.o"},
	} {
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	return filepath.Join(dir, "g.elf")
}

// xenHarness returns the built harness; `make test-xen` builds it.
func xenHarness(t *testing.T) *harness.Artifacts {
	t.Helper()
	a, err := harness.Find()
	if err != nil {
		t.Fatalf("%v", err)
	}
	return a
}

// xenRun runs guests in one Xen boot, logging the consoles.
func xenRun(t *testing.T, guests []harness.Guest, files map[string]string) *harness.Result {
	t.Helper()
	var out, errs strings.Builder
	start := time.Now()
	res, err := harness.Run(context.Background(), xenHarness(t), harness.Options{
		Guests: guests, Files: files, Stdout: &out, Stderr: &errs,
	})
	t.Logf("one Xen boot, %d guests: %v\n--- consoles ---\n%s--- harness ---\n%s", len(guests), time.Since(start).Round(time.Millisecond), out.String(), errs.String())
	if err != nil {
		t.Fatalf("harness.Run: %v", err)
	}
	if res != nil {
		t.Logf("Xen and dom0 up in %v", res.BootTime.Round(time.Millisecond))
	}
	return res
}

func wantConsole(t *testing.T, g harness.GuestResult, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !slices.Contains(g.Console, l) {
			last := g.Console[max(0, len(g.Console)-20):]
			t.Errorf("guest %s's console lacks the line %q; its last lines are %q", g.Name, l, last)
		}
	}
}

// TestXenBarePVH boots the bare guest four ways in one Xen: without a
// status line (125), with one and a boot module (7), with a command line
// that needs xl's quoting, and spinning past its timeout (124) while a
// dom0 side script looks at it.
func TestXenBarePVH(t *testing.T) {
	img := bareImage(t)
	module := filepath.Join(t.TempDir(), "module.cpio")
	if err := os.WriteFile(module, []byte("070701 and the rest of an archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	const quoted = `-- /x "two words" back\slash 'single'`
	res := xenRun(t, []harness.Guest{
		{Name: "nostatus", Image: img, Memory: 16, Extra: "plain words"},
		{Name: "status7", Image: img, Memory: 16, Extra: "mirago: exit status 7", Ramdisk: module},
		{Name: "quoted", Image: img, Memory: 16, Extra: quoted},
		{Name: "spin", Image: img, Memory: 16, Extra: "spin", Timeout: 5 * time.Second,
			Side: `echo "side: $GUEST_NAME is domain $GUEST_DOMID"; xl list "$GUEST_NAME" | tail -n 1 | cut -c1-4`},
	}, nil)
	if len(res.Guests) != 4 {
		t.Fatalf("%d results, want 4", len(res.Guests))
	}
	const hello = "xen-test: hello from a bare PVH guest"

	g := res.Guests[0]
	wantConsole(t, g, hello, "plain words")
	if g.Status != harness.StatusNoStatus || g.HasLine || g.Reason != "poweroff" {
		t.Errorf("nostatus: status %d (line %v), reason %q; want 125 without a line, poweroff", g.Status, g.HasLine, g.Reason)
	}

	g = res.Guests[1]
	wantConsole(t, g, hello, "xen-test: module 070701", "mirago: exit status 7")
	if g.Status != 7 || !g.HasLine {
		t.Errorf("status7: status %d (line %v), want 7", g.Status, g.HasLine)
	}

	g = res.Guests[2]
	wantConsole(t, g, hello, quoted)
	if slices.ContainsFunc(g.Console, func(l string) bool { return strings.HasPrefix(l, "xen-test: module") }) {
		t.Errorf("quoted: a module without a ramdisk: %q", g.Console)
	}

	g = res.Guests[3]
	wantConsole(t, g, hello)
	if g.Status != harness.StatusTimeout || g.Reason != "timeout" {
		t.Errorf("spin: status %d, reason %q; want 124, timeout", g.Status, g.Reason)
	}
	wantSide := []string{"side: spin is domain " + strconv.Itoa(g.DomID), "spin"}
	if !slices.Equal(g.Side, wantSide) || g.SideExit != 0 {
		t.Errorf("spin: side script said %q (exit %d), want %q (exit 0)", g.Side, g.SideExit, wantSide)
	}
}

// TestXenWrapper runs the bare guest through the exec wrapper with
// MIRAGO_VMM=xen, as go run and go test do: the console on stdout, the
// working directory's archive as the boot module, the arguments on the
// command line, and 125 with one line on stderr for a guest that
// reports no status.
func TestXenWrapper(t *testing.T) {
	img := bareImage(t)
	root := repoRoot(t)
	bin := t.TempDir()
	wrapper := filepath.Join(bin, "go_xen_amd64_exec")
	build := exec.Command("go", "build", "-o", wrapper, "./scripts/goexec")
	build.Dir = root
	build.Env = env(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the wrapper: %v\n%s", err, out)
	}
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "data.txt"), []byte("some data\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := []string{"MIRAGO_VMM=xen", "MIRAGO_MEM=16M", "MIRAGO_TIMEOUT=2m"}
	if c := os.Getenv("MIRAGO_CACHE"); c != "" {
		vars = append(vars, "MIRAGO_CACHE="+c)
	}
	r := run(t, work, env(t, vars...), wrapper, img, "x", "two words")
	wantOut := []string{
		"xen-test: hello from a bare PVH guest",
		"xen-test: module 070701",
		`PWD=` + work + ` -- ` + img + ` x "two words"`,
	}
	got := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if !slices.Equal(got, wantOut) {
		t.Errorf("stdout %q, want %q:\n%s", got, wantOut, r)
	}
	if r.code != harness.StatusNoStatus || r.stderr != "go_xen_amd64_exec: the guest ended without reporting an exit status (domain shut down: poweroff)\n" {
		t.Errorf("want exit status 125 and one line on stderr:\n%s", r)
	}
}

// TestXenGoRuntime boots GOOS=xen images built by the project's
// toolchain on Xen: exit statuses and arguments in one Xen boot, then
// go run and go test through the wrapper.
func TestXenGoRuntime(t *testing.T) {
	exitargs, ret, panicking := progImage(t, "exitargs"), progImage(t, "return"), progImage(t, "panic")
	res := xenRun(t, []harness.Guest{
		{Name: "exitargs", Image: exitargs, Extra: "-- exitargs a \"two words\"", Timeout: 2 * time.Minute},
		{Name: "return", Image: ret, Extra: "-- return", Timeout: 2 * time.Minute},
		{Name: "panic", Image: panicking, Extra: "-- panic", Timeout: 2 * time.Minute},
	}, nil)
	for i, want := range []struct {
		status int
		lines  []string
	}{
		{3, []string{`arg[1]="a"`, `arg[2]="two words"`}},
		{0, []string{"returning from main"}},
		{2, []string{"panic: boom from the guest", "goroutine 1 [running]:"}},
	} {
		g := res.Guests[i]
		wantConsole(t, g, want.lines...)
		if g.Status != want.status || !g.HasLine {
			t.Errorf("%s: status %d (status line seen: %v), want %d", g.Name, g.Status, g.HasLine, want.status)
		}
	}

	testWrapperOnXen(t, "xen/amd64")
}

// testWrapperOnXen runs go run and go test for target through the exec
// wrapper with MIRAGO_VMM=xen, on the harness's build for its
// architecture.
func testWrapperOnXen(t *testing.T, target string) {
	t.Helper()
	vars := []string{"MIRAGO_VMM=xen", "MIRAGO_MEM=256M"}
	if c := os.Getenv("MIRAGO_CACHE"); c != "" {
		vars = append(vars, "MIRAGO_CACHE="+c)
	}
	r := mgoEnv(t, progsDir(t), target, vars, "run", "./exitargs", "x")
	if !strings.Contains(r.stdout, "arg[1]=\"x\"\n") || !strings.Contains(r.stderr, "exit status 3\n") {
		t.Errorf("go run on Xen (%s): want arg[1]=\"x\" and exit status 3:\n%s", target, r)
	}
	// go test: the test binary reads testdata/ from the boot archive,
	// which reaches the guest as its ramdisk.
	r = mgoEnv(t, progsDir(t), target, vars, "test", "-count=1", "-v", "./pass", "./files")
	for _, want := range []string{"--- PASS: TestAdd", "ok  \texample/pass", "--- PASS: TestRelativeFile", "ok  \texample/files"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("go test on Xen (%s): output lacks %q:\n%s", target, want, r)
		}
	}
	if r.code != 0 {
		t.Errorf("go test on Xen (%s): exit status %d, want 0:\n%s", target, r.code, r)
	}
}

// TestXenLinuxNetDisk checks what the harness gives guests, with a
// Linux guest (harness.LinuxGuest) in place of a Go runtime for Xen: a
// vif on dom0's bridge with its address from dom0's udhcpd, HTTP from
// dom0 to the guest and DNS from the guest to a server in dom0, both
// through the agent's tools; and a disk written by one guest, read back
// by a second after the first is gone, and checked on the host.
func TestXenLinuxNetDisk(t *testing.T) {
	a := xenHarness(t)
	dir := t.TempDir()
	disk := filepath.Join(dir, "disk.img")
	if err := os.WriteFile(disk, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	const page = "hello from a Linux domU\n"
	net, err := a.LinuxGuest("net", `
while ! ip link set eth0 up 2>/dev/null; do sleep 0.2; done
udhcpc -i eth0 -n -q -t 20 -T 1 || exit 10
ip -4 addr show eth0 | grep -o 'inet [0-9.]*'
for i in 1 2 3 4 5 6 7 8 9 10; do
	nslookup host.test 10.99.0.1 >/tmp/ns 2>&1 && break
	sleep 1
done
grep -o '10\.99\.0\.77' /tmp/ns | head -n 1 | sed 's/^/resolved /'
echo -n '`+strings.TrimSuffix(page, "\n")+`' >/www/index.html; echo >>/www/index.html
httpd -p 80 -h /www
echo serving
sleep 120
`, dir)
	if err != nil {
		t.Fatal(err)
	}
	net.Vif = true
	net.Timeout = 2 * time.Minute
	net.SideEndsGuest = true
	// The guest's HTTP server answers dom0, and dom0's DNS server the
	// guest; the side script ends the guest when it has its answer.
	net.Side = `
mirago-dom0 dns 10.99.0.1:53 host.test=10.99.0.77 &
mirago-dom0 get -n 60 -t 2s "http://$GUEST_IP/index.html"
`
	write, err := a.LinuxGuest("write", `
while [ ! -b /dev/xvda ]; do sleep 0.2; done
echo mirago-disk-test | dd of=/dev/xvda bs=512 conv=sync,fsync 2>/dev/null
echo wrote
`, dir)
	if err != nil {
		t.Fatal(err)
	}
	write.Disk = disk
	write.Timeout = 2 * time.Minute
	read, err := a.LinuxGuest("read", `
while [ ! -b /dev/xvda ]; do sleep 0.2; done
dd if=/dev/xvda bs=512 count=1 2>/dev/null | head -n 1 | sed 's/^/read back: /'
echo second-guest | dd of=/dev/xvda bs=512 seek=1 conv=sync,fsync 2>/dev/null
# A burst of console output, all of which must arrive, in order.
seq 1 3000 | sed 's/^/burst /'
`, dir)
	if err != nil {
		t.Fatal(err)
	}
	read.Disk = disk
	read.Timeout = 2 * time.Minute
	res := xenRun(t, []harness.Guest{net, write, read}, nil)

	g := res.Guests[0]
	wantConsole(t, g, "inet "+harness.GuestIP(0), "resolved 10.99.0.77", "serving")
	sum := sha256.Sum256([]byte(page))
	wantSide := fmt.Sprintf("status 200 bytes %d sha256 %x", len(page), sum)
	if !slices.Contains(g.Side, wantSide) || g.SideExit != 0 {
		t.Errorf("dom0's HTTP GET said %q (exit %d), want %q", g.Side, g.SideExit, wantSide)
	}

	g = res.Guests[1]
	wantConsole(t, g, "wrote")
	if g.Status != 0 {
		t.Errorf("write: status %d, want 0", g.Status)
	}
	g = res.Guests[2]
	wantConsole(t, g, "read back: mirago-disk-test")
	if g.Status != 0 {
		t.Errorf("read: status %d, want 0", g.Status)
	}
	var burst []string
	for _, l := range g.Console {
		if strings.HasPrefix(l, "burst ") {
			burst = append(burst, l)
		}
	}
	for i := range 3000 {
		if i >= len(burst) || burst[i] != "burst "+strconv.Itoa(i+1) {
			t.Errorf("read: the console burst arrived as %d lines, wrong from line %d on", len(burst), i+1)
			break
		}
	}
	data, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "mirago-disk-test\n") || !strings.HasPrefix(string(data[512:]), "second-guest\n") {
		t.Errorf("disk on the host starts %q and %q at 512", data[:32], data[512:544])
	}
}

// TestXenWrapperInDom0 runs the exec wrapper inside the harness's dom0,
// where it finds xl and /proc/xen and so creates the domain itself with
// xl create, as on a real Xen host: its status for a guest without a
// status line (125, with xl's shutdown reason) and at MIRAGO_TIMEOUT
// (124, the domain destroyed). The bare guest writes only to port 0xE9,
// which is not the console xl attaches to, so nothing of it reaches the
// wrapper's stdout.
func TestXenWrapperInDom0(t *testing.T) {
	img := bareImage(t)
	wrapper := filepath.Join(t.TempDir(), "mirago-exec")
	build := exec.Command("go", "build", "-o", wrapper, "./scripts/goexec")
	build.Dir = repoRoot(t)
	build.Env = append(env(t), "CGO_ENABLED=0") // dom0 has glibc, but of its own version
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the wrapper: %v\n%s", err, out)
	}
	side := `
ln -s /bin/mirago-exec /tmp/go_xen_amd64_exec
export MIRAGO_VMM=xen MIRAGO_MEM=16M MIRAGO_NOMOUNT=1
/tmp/go_xen_amd64_exec /inner/g.elf x 2>&1
echo "wrapper exit $?"
# The word spin=1 comes first on the command line and makes the guest spin.
spin=1 MIRAGO_ENV=spin MIRAGO_TIMEOUT=5s /tmp/go_xen_amd64_exec /inner/g.elf 2>&1
echo "wrapper exit $?"
# A Go program that hangs: at the timeout, and for SIGQUIT, the wrapper
# sends it an NMI and it prints its goroutines. Only the dump's first
# line is checked here: through xl's console client, lines in the middle
# of a long dump have been seen missing on a loaded host
# (TestXenRuntime checks a whole dump, from xenconsoled's log).
export MIRAGO_MEM=32M
dump() { grep -c '^SIGQUIT: quit' /tmp/out; grep go_xen_amd64_exec: /tmp/out; }
MIRAGO_TIMEOUT=10s /tmp/go_xen_amd64_exec /inner/rt.elf hang >/tmp/out 2>&1
echo "wrapper exit $?"
dump
cp /tmp/out /tmp/out.timeout
# busybox's wait has been seen to give 0 for a background wrapper that
# exited with 2 (its last line said so), so a subshell keeps the status.
rm -f /tmp/rc
(/tmp/go_xen_amd64_exec /inner/rt.elf hang >/tmp/out 2>&1; echo $? >/tmp/rc) &
i=0; while [ $i -lt 60 ] && ! grep -q hanging /tmp/out; do sleep 1; i=$((i+1)); done
kill -QUIT $(pidof go_xen_amd64_exec)
wait
echo "wrapper exit $(cat /tmp/rc)"
dump
# xl list itself has been seen to abort here once (an assertion in
# libxentoolcore's handlereg.c); ask again rather than fail on that.
for i in 1 2 3; do l=$(xl list 2>&1) && break; sleep 1; done
echo "domains left: $(echo "$l" | grep -c mirago-)"
# What the timed-out guest printed, for a failure's message.
tail -n 20 /tmp/out.timeout | sed 's/^/out: /'
`
	res := xenRun(t, []harness.Guest{{
		Name: "outer", Image: img, Memory: 16, Extra: "spin", Timeout: 3 * time.Minute,
		Side: side, SideEndsGuest: true,
	}}, map[string]string{"/bin/mirago-exec": wrapper, "/inner/g.elf": img, "/inner/rt.elf": progImage(t, "rtprobe")})
	want := []string{
		"go_xen_amd64_exec: the guest ended without reporting an exit status (domain shut down: poweroff)",
		"wrapper exit 125",
		// The bare guest has no handler for the NMI: it triple-faults.
		"go_xen_amd64_exec: the guest did not finish within 5s (MIRAGO_TIMEOUT); sent it an NMI, and it ended without reporting a status",
		"wrapper exit 124",
		"wrapper exit 124",
		"1",
		"go_xen_amd64_exec: the guest did not finish within 10s (MIRAGO_TIMEOUT); sent it an NMI: its goroutines are above",
		"wrapper exit 2",
		"1",
		"domains left: 0",
	}
	g := res.Guests[0]
	var said, out []string
	for _, l := range g.Side {
		if o, ok := strings.CutPrefix(l, "out: "); ok {
			out = append(out, o)
		} else {
			said = append(said, l)
		}
	}
	if !slices.Equal(said, want) || g.SideExit != 0 {
		// What was said last: a long guest output comes first.
		t.Errorf("the guest at the timeout printed:\n%s\nthe wrapper in dom0 said %q (exit %d), want %q (exit 0)",
			strings.Join(out, "\n"), said, g.SideExit, want)
	}
}
