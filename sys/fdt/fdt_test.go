// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package fdt

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The QEMU fixtures are the trees QEMU 7.2 (Debian 12's
// qemu-system-aarch64) builds for its virt machine, written with
// -M virt,dumpdtb=FILE and compacted with dtc -I dtb -O dtb (QEMU pads
// the blob to 1 MiB):
//
//	qemu72-virt-gicv2.dtb	-M virt -cpu max -m 256M
//	qemu72-virt-gicv3.dtb	-M virt,gic-version=3 -cpu max -m 512M -smp 2
//				-kernel K -initrd K -append "console=x a=b"
//				(K: 4 KiB of zeros)
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseFixture(t testing.TB, name string) *Tree {
	t.Helper()
	tree, err := Parse(readFixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return &tree
}

type reg struct{ addr, size uint64 }

func regs(n Node) []reg {
	var r []reg
	for i := 0; ; i++ {
		a, s, ok := n.Reg(i)
		if !ok {
			return r
		}
		r = append(r, reg{a, s})
	}
}

func cells(n Node, name string) []uint32 {
	var c []uint32
	for i := 0; ; i++ {
		v, ok := n.Cell(name, i)
		if !ok {
			return c
		}
		c = append(c, v)
	}
}

func eqRegs(a, b []reg) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func eqCells(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestQEMUVirt reads from QEMU's trees each fact the arm64 runtime
// needs: memory, the command line and initrd, the UART, the interrupt
// controller, the timer's interrupts, PSCI and the virtio-mmio windows.
func TestQEMUVirt(t *testing.T) {
	for _, tc := range []struct {
		file      string
		mem       reg
		bootargs  string
		initrd    reg // start, end
		gicCompat string
		gicRegs   []reg
		timerFlag uint32 // level-low; on GICv2 with the CPU mask in bits 8-15
		cpus      int
	}{
		{
			file:      "qemu72-virt-gicv2.dtb",
			mem:       reg{0x40000000, 256 << 20},
			gicCompat: "arm,cortex-a15-gic",
			gicRegs:   []reg{{0x8000000, 0x10000}, {0x8010000, 0x10000}},
			timerFlag: 0x104,
			cpus:      1,
		},
		{
			file:      "qemu72-virt-gicv3.dtb",
			mem:       reg{0x40000000, 512 << 20},
			bootargs:  "console=x a=b",
			initrd:    reg{0x48000000, 0x48001000},
			gicCompat: "arm,gic-v3",
			gicRegs:   []reg{{0x8000000, 0x10000}, {0x80a0000, 0xf60000}},
			timerFlag: 4,
			cpus:      2,
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			tree := parseFixture(t, tc.file)

			mem, ok := tree.Find("/memory")
			if !ok {
				t.Fatal("no /memory")
			}
			if typ, _ := mem.String("device_type"); string(typ) != "memory" {
				t.Errorf("memory device_type = %q", typ)
			}
			if got := regs(mem); !eqRegs(got, []reg{tc.mem}) {
				t.Errorf("memory reg = %#x, want %#x", got, tc.mem)
			}

			chosen, ok := tree.Find("/chosen")
			if !ok {
				t.Fatal("no /chosen")
			}
			args, ok := chosen.String("bootargs")
			if string(args) != tc.bootargs || ok != (tc.bootargs != "") {
				t.Errorf("bootargs = %q, %v; want %q", args, ok, tc.bootargs)
			}
			start, ok1 := chosen.Uint("linux,initrd-start")
			end, ok2 := chosen.Uint("linux,initrd-end")
			if (reg{start, end}) != tc.initrd || ok1 != (tc.initrd.addr != 0) || ok2 != ok1 {
				t.Errorf("initrd = %#x..%#x (%v, %v), want %#x", start, end, ok1, ok2, tc.initrd)
			}
			stdout, _ := chosen.String("stdout-path")
			if string(stdout) != "/pl011@9000000" {
				t.Errorf("stdout-path = %q", stdout)
			}

			uart, ok := tree.Find(string(stdout))
			if !ok || !uart.Compatible("arm,pl011") {
				t.Fatalf("stdout-path %q: no PL011 (found %v)", stdout, ok)
			}
			if got := regs(uart); !eqRegs(got, []reg{{0x9000000, 0x1000}}) {
				t.Errorf("pl011 reg = %#x", got)
			}
			// SPI 1, level-high.
			if got := cells(uart, "interrupts"); !eqCells(got, []uint32{0, 1, 4}) {
				t.Errorf("pl011 interrupts = %d", got)
			}

			gic, ok := tree.FindCompatible(Node{}, tc.gicCompat)
			if !ok {
				t.Fatalf("no %s", tc.gicCompat)
			}
			if got := regs(gic); !eqRegs(got, tc.gicRegs) {
				t.Errorf("gic reg = %#x, want %#x", got, tc.gicRegs)
			}
			if _, ok := gic.Prop("interrupt-controller"); !ok {
				t.Error("gic: no interrupt-controller property")
			}
			parent, _ := tree.Root().Cell("interrupt-parent", 0)
			if p, ok := tree.Phandle(parent); !ok || p.off != gic.off {
				t.Errorf("root interrupt-parent %#x is not the gic (found %v, %q)", parent, ok, p.Name())
			}

			timer, ok := tree.FindCompatible(Node{}, "arm,armv8-timer")
			if !ok {
				t.Fatal("no arm,armv8-timer")
			}
			// Secure, non-secure physical, virtual and hypervisor
			// timers: PPIs 13, 14, 11 and 10.
			f := tc.timerFlag
			want := []uint32{1, 13, f, 1, 14, f, 1, 11, f, 1, 10, f}
			if got := cells(timer, "interrupts"); !eqCells(got, want) {
				t.Errorf("timer interrupts = %d, want %d", got, want)
			}

			psci, ok := tree.FindCompatible(Node{}, "arm,psci-0.2")
			if !ok {
				t.Fatal("no PSCI 0.2")
			}
			if m, _ := psci.String("method"); string(m) != "hvc" {
				t.Errorf("psci method = %q", m)
			}

			// QEMU makes 32 virtio-mmio windows of 0x200 bytes
			// from 0xa000000, on SPIs 16 to 47, rising edge.
			var windows []reg
			for n, ok := tree.FindCompatible(Node{}, "virtio,mmio"); ok; n, ok = tree.FindCompatible(n, "virtio,mmio") {
				r := regs(n)
				irq := cells(n, "interrupts")
				if len(r) != 1 || len(irq) != 3 || irq[0] != 0 || irq[2] != 1 {
					t.Fatalf("%s: reg %#x interrupts %d", n.Name(), r, irq)
				}
				if spi := irq[1]; spi != uint32(16+len(windows)) {
					t.Errorf("%s: SPI %d", n.Name(), spi)
				}
				windows = append(windows, r[0])
			}
			if len(windows) != 32 {
				t.Fatalf("%d virtio-mmio windows, want 32", len(windows))
			}
			for i, w := range windows {
				if want := (reg{0xa000000 + uint64(i)*0x200, 0x200}); w != want {
					t.Errorf("window %d = %#x, want %#x", i, w, want)
				}
			}

			n := 0
			for c, ok := mustFind(t, tree, "/cpus").FirstChild(); ok; c, ok = c.NextSibling() {
				if typ, _ := c.String("device_type"); string(typ) != "cpu" {
					continue
				}
				// cpus sets #address-cells 1, #size-cells 0.
				if got := regs(c); !eqRegs(got, []reg{{uint64(n), 0}}) {
					t.Errorf("%s reg = %#x", c.Name(), got)
				}
				// QEMU names how to start a second CPU only
				// when there is one.
				if m, _ := c.String("enable-method"); tc.cpus > 1 && string(m) != "psci" {
					t.Errorf("%s enable-method = %q", c.Name(), m)
				}
				n++
			}
			if n != tc.cpus {
				t.Errorf("%d cpus, want %d", n, tc.cpus)
			}
		})
	}
}

// The Xen fixtures are the trees Xen 4.17's toolstack (Debian's
// 4.17.7 arm64 packages, nested in QEMU 7.2's virt machine with
// virtualization=on) built for a domU, written by xl create with
// LIBXL_DEBUG_DUMP_DTB set: 64 MiB of memory and vuart="sbsa_uart";
//
//	xen417-domu-gicv2.dtb		on a GICv2 host
//	xen417-domu-gicv3-full.dtb	on a GICv3 host, with 2 vCPUs, a 4 KiB
//					ramdisk and extra="console=hvc0 mirago.test=1"
//	xen417-domu-gicv3-virtiodisk.dtb	on a GICv3 host, with a virtio
//					disk (virtio=1 in the disk line)
//
// Each /chosen has a fresh rng-seed.

// TestXenDomU reads from Xen's trees what the arm64 runtime needs on
// Xen: the /hypervisor node (the grant table's frames, the event
// channel interrupt), the SBSA UART, the GIC, and a virtio-mmio device.
func TestXenDomU(t *testing.T) {
	for _, tc := range []struct {
		file      string
		gicCompat string
		gicRegs   []reg
		bootargs  string
		initrd    reg
		virtio    bool
	}{
		{
			file:      "xen417-domu-gicv2.dtb",
			gicCompat: "arm,cortex-a15-gic",
			gicRegs:   []reg{{0x3001000, 0x1000}, {0x3002000, 0x2000}},
		},
		{
			file:      "xen417-domu-gicv3-full.dtb",
			gicCompat: "arm,gic-v3",
			gicRegs:   []reg{{0x3001000, 0x10000}, {0x3020000, 0x1000000}},
			bootargs:  "console=hvc0 mirago.test=1",
			initrd:    reg{0x43ffe000, 0x43fff000},
		},
		{
			file:      "xen417-domu-gicv3-virtiodisk.dtb",
			gicCompat: "arm,gic-v3",
			gicRegs:   []reg{{0x3001000, 0x10000}, {0x3020000, 0x1000000}},
			virtio:    true,
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			tree := parseFixture(t, tc.file)
			if got := regs(mustFind(t, tree, "/memory")); !eqRegs(got, []reg{{0x40000000, 64 << 20}}) {
				t.Errorf("memory reg = %#x", got)
			}
			hyp := mustFind(t, tree, "/hypervisor")
			if !hyp.Compatible("xen,xen") {
				t.Errorf("hypervisor compatible: %q", hyp.propOrNil("compatible"))
			}
			// The grant table's frames first, then free ranges.
			if a, s, ok := hyp.Reg(0); !ok || a != 0x38000000 || s != 16<<20 {
				t.Errorf("hypervisor reg[0] = %#x, %#x, %v", a, s, ok)
			}
			// The event channel's interrupt: PPI 15 (ID 31), level.
			if got := cells(hyp, "interrupts"); !eqCells(got, []uint32{1, 15, 0xf08}) {
				t.Errorf("hypervisor interrupts = %#x", got)
			}
			uart, ok := tree.FindCompatible(Node{}, "arm,sbsa-uart")
			if !ok {
				t.Fatal("no SBSA UART")
			}
			if got := regs(uart); !eqRegs(got, []reg{{0x22000000, 0x1000}}) {
				t.Errorf("uart reg = %#x", got)
			}
			gic, ok := tree.FindCompatible(Node{}, tc.gicCompat)
			if !ok {
				t.Fatalf("no %s", tc.gicCompat)
			}
			if got := regs(gic); !eqRegs(got, tc.gicRegs) {
				t.Errorf("gic reg = %#x, want %#x", got, tc.gicRegs)
			}
			// Xen lists three timers, not four: the virtual
			// timer's PPI 11 is still the third.
			timer, _ := tree.FindCompatible(Node{}, "arm,armv8-timer")
			if v, ok := timer.Cell("interrupts", 7); !ok || v != 11 {
				t.Errorf("virtual timer PPI = %d, %v", v, ok)
			}
			chosen := mustFind(t, tree, "/chosen")
			if args, _ := chosen.String("bootargs"); string(args) != tc.bootargs {
				t.Errorf("bootargs = %q, want %q", args, tc.bootargs)
			}
			start, _ := chosen.Uint("linux,initrd-start")
			end, _ := chosen.Uint("linux,initrd-end")
			if (reg{start, end}) != tc.initrd {
				t.Errorf("initrd = %#x..%#x, want %#x", start, end, tc.initrd)
			}
			v, ok := tree.FindCompatible(Node{}, "virtio,mmio")
			if ok != tc.virtio {
				t.Fatalf("virtio-mmio device: %v, want %v", ok, tc.virtio)
			}
			if ok {
				if got := regs(v); !eqRegs(got, []reg{{0x2000000, 0x200}}) {
					t.Errorf("virtio reg = %#x", got)
				}
				// SPI 1 (ID 33), edge.
				if got := cells(v, "interrupts"); !eqCells(got, []uint32{0, 1, 0xf01}) {
					t.Errorf("virtio interrupts = %#x", got)
				}
			}
		})
	}
}

func mustFind(t *testing.T, tree *Tree, path string) Node {
	t.Helper()
	n, ok := tree.Find(path)
	if !ok {
		t.Fatalf("no %s", path)
	}
	return n
}

// TestWalk checks Next against a recursive walk by FirstChild and
// NextSibling: the same nodes, in the same order, each once.
func TestWalk(t *testing.T) {
	for _, file := range []string{"qemu72-virt-gicv2.dtb", "qemu72-virt-gicv3.dtb"} {
		tree := parseFixture(t, file)
		var want []string
		var rec func(n Node, path string)
		rec = func(n Node, path string) {
			want = append(want, path)
			for c, ok := n.FirstChild(); ok; c, ok = c.NextSibling() {
				rec(c, path+"/"+string(c.Name()))
			}
		}
		rec(tree.Root(), "")
		var got []string
		for n, ok := tree.Root(), true; ok; n, ok = tree.Next(n) {
			got = append(got, string(n.Name()))
			if len(got) > 1000 {
				t.Fatal("Next does not end")
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: Next visits %d nodes, the recursive walk %d", file, len(got), len(want))
		}
		for i := range want {
			if !strings.HasSuffix(want[i], "/"+got[i]) && !(i == 0 && got[i] == "") {
				t.Errorf("%s: node %d: Next gives %q, the walk %q", file, i, got[i], want[i])
			}
		}
	}
}

func TestFind(t *testing.T) {
	tree := parseFixture(t, "qemu72-virt-gicv3.dtb")
	for _, tc := range []struct {
		path, name string
		ok         bool
	}{
		{"/", "", true},
		{"", "", true},
		{"/memory@40000000", "memory@40000000", true},
		{"/memory@50000000", "", false},
		{"/intc/its", "its@8080000", true},
		{"/intc@8000000/its@8080000", "its@8080000", true},
		{"/cpus/cpu@1", "cpu@1", true},
		{"/cpus/cpu", "cpu@0", true},
		{"/cpus/cpu-map/socket0/cluster0/core1", "core1", true},
		{"/chosen/", "chosen", true},
		{"/mem", "", false},
		{"/hypervisor", "", false},
	} {
		n, ok := tree.Find(tc.path)
		if ok != tc.ok || ok && string(n.Name()) != tc.name {
			t.Errorf("Find(%q) = %q, %v; want %q, %v", tc.path, n.Name(), ok, tc.name, tc.ok)
		}
	}
	// Reg of a node under intc, which sets 2 and 2 cells.
	its, _ := tree.Find("/intc/its")
	if got := regs(its); !eqRegs(got, []reg{{0x8080000, 0x20000}}) {
		t.Errorf("its reg = %#x", got)
	}
}

func TestHasString(t *testing.T) {
	v := []byte("arm,psci-1.0\x00arm,psci-0.2\x00arm,psci\x00")
	for _, s := range []string{"arm,psci-1.0", "arm,psci-0.2", "arm,psci"} {
		if !HasString(v, s) {
			t.Errorf("HasString(%q) = false", s)
		}
	}
	for _, s := range []string{"arm,psci-1", "", "psci", "arm,psci\x00"} {
		if HasString(v, s) {
			t.Errorf("HasString(%q) = true", s)
		}
	}
	if !HasString([]byte("x"), "x") || HasString(nil, "") {
		t.Error("HasString on a list without a final NUL, or on nothing")
	}
}

// A builder writes device tree blobs for the error cases.
type builder struct {
	structs, strings []byte
	version          uint32
}

func (b *builder) u32(v uint32) { b.structs = binary.BigEndian.AppendUint32(b.structs, v) }

func (b *builder) pad() {
	for len(b.structs)%4 != 0 {
		b.structs = append(b.structs, 0)
	}
}

func (b *builder) begin(name string) *builder {
	b.u32(tokenBeginNode)
	b.structs = append(append(b.structs, name...), 0)
	b.pad()
	return b
}

func (b *builder) prop(name string, v []byte) *builder {
	b.u32(tokenProp)
	b.u32(uint32(len(v)))
	b.u32(uint32(len(b.strings)))
	b.strings = append(append(b.strings, name...), 0)
	b.structs = append(b.structs, v...)
	b.pad()
	return b
}

func (b *builder) end() *builder { b.u32(tokenEndNode); return b }

func (b *builder) blob() []byte {
	s := append([]byte(nil), b.structs...)
	s = binary.BigEndian.AppendUint32(s, tokenEnd)
	v := b.version
	if v == 0 {
		v = 17
	}
	const rsv = HeaderSize // an empty reservation map: one zero entry
	h := make([]byte, HeaderSize+16)
	total := uint32(len(h) + len(s) + len(b.strings))
	for i, x := range []uint32{Magic, total, uint32(len(h)), uint32(len(h) + len(s)), rsv, v, 16, 0, uint32(len(b.strings)), uint32(len(s))} {
		binary.BigEndian.PutUint32(h[4*i:], x)
	}
	return append(append(h, s...), b.strings...)
}

func TestBuilt(t *testing.T) {
	b := new(builder)
	b.begin("").prop("#address-cells", be(1)).prop("#size-cells", be(0))
	b.begin("a@1").prop("reg", be(7)).prop("compatible", []byte("x\x00y\x00")).end()
	b.begin("b").begin("c").end().end()
	b.end()
	tree, err := Parse(b.blob())
	if err != nil {
		t.Fatal(err)
	}
	a, ok := tree.Find("/a")
	if !ok || !a.Compatible("y") || a.Compatible("z") {
		t.Fatalf("a: %v", ok)
	}
	if got := regs(a); !eqRegs(got, []reg{{7, 0}}) {
		t.Errorf("a reg = %v", got)
	}
	if _, ok := tree.Find("/b/c"); !ok {
		t.Error("no /b/c")
	}
	// After /b/c, the last node, Next ends.
	c, _ := tree.Find("/b/c")
	if n, ok := tree.Next(c); ok {
		t.Errorf("Next(/b/c) = %q", n.Name())
	}
}

func be(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func TestParseErrors(t *testing.T) {
	good := func() *builder {
		b := new(builder)
		return b.begin("").prop("p", []byte{1, 2, 3}).begin("n").end().end()
	}
	if _, err := Parse(good().blob()); err != nil {
		t.Fatalf("the base case: %v", err)
	}
	set := func(b []byte, off int, v uint32) []byte {
		binary.BigEndian.PutUint32(b[off:], v)
		return b
	}
	deep := new(builder)
	for range MaxDepth + 1 {
		deep.begin("d")
	}
	for range MaxDepth + 1 {
		deep.end()
	}
	for _, tc := range []struct {
		name string
		blob []byte
		err  error
	}{
		{"empty", nil, ErrShort},
		{"header only", good().blob()[:HeaderSize], ErrShort},
		{"truncated", good().blob()[:60], ErrShort},
		{"magic", set(good().blob(), offMagic, 0xfeedd00d), ErrMagic},
		{"version 16", set(good().blob(), offVersion, 16), ErrVersion},
		{"last compatible 18", set(good().blob(), offLastCompVersion, 18), ErrVersion},
		{"struct outside", set(good().blob(), offSizeStruct, 1<<20), ErrBounds},
		{"strings outside", set(good().blob(), offStrings, 1<<30), ErrBounds},
		{"struct misaligned", set(good().blob(), offStruct, HeaderSize+16+2), ErrBounds},
		{"no root", new(builder).blob(), ErrStructure},
		{"unclosed", new(builder).begin("").blob(), ErrStructure},
		{"two roots", new(builder).begin("").end().begin("").end().blob(), ErrStructure},
		{"extra end", new(builder).begin("").end().end().blob(), ErrStructure},
		{"property before root", new(builder).prop("p", nil).begin("").end().blob(), ErrStructure},
		{"property after a child", new(builder).begin("").begin("a").end().prop("p", nil).end().blob(), ErrStructure},
		{"bad token", func() []byte { b := good(); b.u32(7); return b.blob() }(), ErrStructure},
		{"too deep", deep.blob(), ErrDepth},
		{"property name outside", func() []byte {
			b := new(builder).begin("").prop("p", nil).end()
			binary.BigEndian.PutUint32(b.structs[len(b.structs)-8:], 99)
			return b.blob()
		}(), ErrStructure},
		{"property value outside", func() []byte {
			b := new(builder).begin("").prop("p", []byte{1, 2, 3, 4}).end()
			binary.BigEndian.PutUint32(b.structs[len(b.structs)-16:], 1000)
			return b.blob()
		}(), ErrStructure},
	} {
		if _, err := Parse(tc.blob); err != tc.err {
			t.Errorf("%s: Parse = %v, want %v", tc.name, err, tc.err)
		}
	}
}

// TestAllocs checks that reading a tree allocates nothing: the runtime
// reads it before it has a heap.
func TestAllocs(t *testing.T) {
	b := readFixture(t, "qemu72-virt-gicv3.dtb")
	var sink uint64
	allocs := testing.AllocsPerRun(10, func() {
		tree, err := Parse(b)
		if err != nil {
			panic(err)
		}
		chosen, _ := tree.Find("/chosen")
		args, _ := chosen.String("bootargs")
		mem, _ := tree.Find("/memory")
		a, s, _ := mem.Reg(0)
		gic, _ := tree.FindCompatible(Node{}, "arm,gic-v3")
		g, _, _ := gic.Reg(1)
		irq, _ := gic.Cell("#interrupt-cells", 0)
		for n, ok := tree.FindCompatible(Node{}, "virtio,mmio"); ok; n, ok = tree.FindCompatible(n, "virtio,mmio") {
			w, _, _ := n.Reg(0)
			sink += w
		}
		sink += uint64(len(args)) + a + s + g + uint64(irq)
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
	_ = sink
}

// FuzzParse checks that no blob makes Parse, or a walk over every node
// and property of a tree it accepts, panic or loop.
func FuzzParse(f *testing.F) {
	f.Add(readFixture(f, "qemu72-virt-gicv2.dtb"))
	f.Add(readFixture(f, "qemu72-virt-gicv3.dtb"))
	f.Add(readFixture(f, "xen417-domu-gicv3-full.dtb"))
	f.Add(new(builder).begin("").prop("reg", []byte{1, 2, 3, 4, 5, 6, 7, 8}).begin("a@0").end().end().blob())
	f.Fuzz(func(t *testing.T, b []byte) {
		tree, err := Parse(b)
		if err != nil {
			return
		}
		steps := 0
		for n, ok := tree.Root(), true; ok; n, ok = tree.Next(n) {
			if steps++; steps > len(b) {
				t.Fatal("Next does not end")
			}
			n.Name()
			for _, p := range []string{"reg", "compatible", "interrupts", "#address-cells", "bootargs", "phandle"} {
				n.Prop(p)
				n.String(p)
				n.Uint(p)
				n.Cell(p, 0)
			}
			for i := range 3 {
				n.Reg(i)
			}
			n.Compatible("virtio,mmio")
		}
		tree.Find("/a/b")
		tree.FindCompatible(Node{}, "x")
		tree.Phandle(1)
	})
}
