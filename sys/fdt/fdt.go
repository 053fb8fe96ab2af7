// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package fdt reads a flattened device tree: the blob in which an
// arm64 boot loader (QEMU's -kernel on its virt machine, Xen's domain
// builder) describes the machine to the kernel it starts, passing its
// address in x0. A GOOS=xen image on arm64 learns from it where its
// memory, command line, initrd, console, interrupt controller, timer,
// devices and hypervisor are.
//
// The format is the Devicetree Specification's (v0.4, chapter 5): a
// header, a memory reservation block, a structure block of big-endian
// 32-bit tokens (a node begins, a property, a node ends) and a strings
// block holding the property names. Parse checks the whole structure
// once, so that walking a parsed tree cannot fail or read out of
// bounds.
//
// Like the other packages of mirago.dev/sys, it imports nothing; it
// also allocates nothing, so that the runtime can read the tree before
// its heap exists.
package fdt

// Magic is the first word of a device tree blob.
const Magic = 0xd00dfeed

// HeaderSize is the size of the header (struct fdt_header, version 17).
const HeaderSize = 40

// Offsets of the header's fields, each a big-endian uint32.
const (
	offMagic           = 0
	offTotalSize       = 4
	offStruct          = 8
	offStrings         = 12
	offMemRsvmap       = 16
	offVersion         = 20
	offLastCompVersion = 24
	offBootCPU         = 28
	offSizeStrings     = 32
	offSizeStruct      = 36
)

// Version is the format version this package reads: 17, the current
// one, which is also what a reader of version 16 trees would need to
// know (version 17 only added the structure block's size).
const Version = 17

// Tokens of the structure block.
const (
	tokenBeginNode = 1
	tokenEndNode   = 2
	tokenProp      = 3
	tokenNop       = 4
	tokenEnd       = 9
)

// MaxDepth is the deepest nesting of nodes Parse accepts, the root
// being at depth 1. Real trees are 4 or 5 deep.
const MaxDepth = 16

// An Error is a reason Parse refuses a blob.
type Error string

func (e Error) Error() string { return string(e) }

// Errors returned by Parse.
const (
	ErrShort     = Error("fdt: blob shorter than its header or its totalsize")
	ErrMagic     = Error("fdt: bad magic (not a device tree)")
	ErrVersion   = Error("fdt: unsupported version (want compatible with 17)")
	ErrBounds    = Error("fdt: a block lies outside the blob")
	ErrStructure = Error("fdt: malformed structure block")
	ErrDepth     = Error("fdt: nodes nested too deep")
)

// A Tree is a parsed device tree. It refers to the blob it was parsed
// from, which must not change.
type Tree struct {
	structs []byte // the structure block
	strings []byte // the strings block
	bootCPU uint32
}

// Parse checks the device tree blob b and returns its tree. b may be
// longer than the blob (the header says how long it is).
func Parse(b []byte) (Tree, error) {
	if len(b) < HeaderSize {
		return Tree{}, ErrShort
	}
	if be32(b, offMagic) != Magic {
		return Tree{}, ErrMagic
	}
	total := be32(b, offTotalSize)
	if uint64(total) > uint64(len(b)) || total < HeaderSize {
		return Tree{}, ErrShort
	}
	if be32(b, offVersion) < Version || be32(b, offLastCompVersion) > Version {
		return Tree{}, ErrVersion
	}
	so, ss := be32(b, offStruct), be32(b, offSizeStruct)
	sto, sts := be32(b, offStrings), be32(b, offSizeStrings)
	if !within(so, ss, total) || !within(sto, sts, total) || so%4 != 0 {
		return Tree{}, ErrBounds
	}
	t := Tree{
		structs: b[so : so+ss],
		strings: b[sto : sto+sts],
		bootCPU: be32(b, offBootCPU),
	}
	if err := t.check(); err != nil {
		return Tree{}, err
	}
	return t, nil
}

// within reports whether [off, off+size) lies in [0, total).
func within(off, size, total uint32) bool {
	return uint64(off)+uint64(size) <= uint64(total)
}

// check walks the whole structure block: one root node, balanced
// nodes no deeper than MaxDepth, each node's properties before its
// children, names and property values inside the block and property
// names inside the strings block, then FDT_END.
func (t *Tree) check() error {
	off := t.skipNops(0)
	if t.token(off) != tokenBeginNode {
		return ErrStructure
	}
	depth := 0
	var hasChild [MaxDepth + 1]bool // by depth: the node there has had a child
	for {
		switch t.token(off) {
		case tokenBeginNode:
			hasChild[depth] = true
			depth++
			if depth > MaxDepth {
				return ErrDepth
			}
			hasChild[depth] = false
			end, ok := t.nameEnd(off + 4)
			if !ok {
				return ErrStructure
			}
			off = align4(end + 1)
		case tokenProp:
			if off+12 > len(t.structs) || hasChild[depth] {
				return ErrStructure
			}
			n, name := int(be32(t.structs, off+4)), be32(t.structs, off+8)
			if n < 0 || off+12+n > len(t.structs) || !t.stringOK(name) {
				return ErrStructure
			}
			off = align4(off + 12 + n)
		case tokenNop:
			off += 4
		case tokenEndNode:
			depth--
			off += 4
			if depth == 0 {
				off = t.skipNops(off)
				if t.token(off) != tokenEnd {
					return ErrStructure
				}
				return nil
			}
		default:
			return ErrStructure
		}
		if depth == 0 || off > len(t.structs) {
			return ErrStructure
		}
	}
}

// token returns the token at off in the structure block, or 0 past its
// end.
func (t *Tree) token(off int) uint32 {
	if off < 0 || off+4 > len(t.structs) {
		return 0
	}
	return be32(t.structs, off)
}

func (t *Tree) skipNops(off int) int {
	for t.token(off) == tokenNop {
		off += 4
	}
	return off
}

// nameEnd returns the offset of the NUL that ends the string at off in
// the structure block.
func (t *Tree) nameEnd(off int) (int, bool) {
	for i := off; i < len(t.structs); i++ {
		if t.structs[i] == 0 {
			return i, true
		}
	}
	return 0, false
}

// stringOK reports whether a NUL-terminated string starts at off in the
// strings block.
func (t *Tree) stringOK(off uint32) bool {
	for i := uint64(off); i < uint64(len(t.strings)); i++ {
		if t.strings[i] == 0 {
			return true
		}
	}
	return false
}

// str returns the string at off in the strings block, without its NUL.
func (t *Tree) str(off uint32) []byte {
	s := t.strings[off:]
	for i, c := range s {
		if c == 0 {
			return s[:i]
		}
	}
	return s
}

// BootCPU is the physical ID of the CPU the loader started the kernel
// on (the header's boot_cpuid_phys).
func (t *Tree) BootCPU() uint32 { return t.bootCPU }

// Cells are the #address-cells and #size-cells defaults of the
// specification (section 2.3.5), which hold where a node does not set
// them.
const (
	DefaultAddressCells = 2
	DefaultSizeCells    = 1
)

// A Node is a node of a Tree. Its zero value is no node.
type Node struct {
	t   *Tree
	off int // of its FDT_BEGIN_NODE token

	// The parent's #address-cells and #size-cells, in which this
	// node's reg property is written.
	addrCells, sizeCells uint32
}

// Root returns the tree's root node.
func (t *Tree) Root() Node {
	return Node{t: t, off: t.skipNops(0), addrCells: DefaultAddressCells, sizeCells: DefaultSizeCells}
}

// Valid reports whether n is a node (not the zero Node).
func (n Node) Valid() bool { return n.t != nil }

// Name returns the node's name, with its unit address: "memory@40000000".
// The root's name is empty.
func (n Node) Name() []byte {
	end, _ := n.t.nameEnd(n.off + 4)
	return n.t.structs[n.off+4 : end]
}

// body returns the offset of the node's first property or child.
func (n Node) body() int {
	end, _ := n.t.nameEnd(n.off + 4)
	return align4(end + 1)
}

// Prop returns the value of the node's property called name.
func (n Node) Prop(name string) ([]byte, bool) {
	t := n.t
	off := n.body()
	for {
		switch t.token(off) {
		case tokenNop:
			off += 4
		case tokenProp:
			size, nameOff := int(be32(t.structs, off+4)), be32(t.structs, off+8)
			if string(t.str(nameOff)) == name {
				return t.structs[off+12 : off+12+size], true
			}
			off = align4(off + 12 + size)
		default:
			return nil, false
		}
	}
}

// String returns the node's property called name as a string, without
// its terminating NUL: the first string if it holds a list.
func (n Node) String(name string) ([]byte, bool) {
	v, ok := n.Prop(name)
	if !ok {
		return nil, false
	}
	for i, c := range v {
		if c == 0 {
			return v[:i], true
		}
	}
	return v, true
}

// Uint returns the node's property called name as a number: one cell
// (4 bytes) or two (8 bytes), as for linux,initrd-start.
func (n Node) Uint(name string) (uint64, bool) {
	v, ok := n.Prop(name)
	if !ok {
		return 0, false
	}
	switch len(v) {
	case 4:
		return uint64(be32(v, 0)), true
	case 8:
		return uint64(be32(v, 0))<<32 | uint64(be32(v, 4)), true
	}
	return 0, false
}

// Compatible reports whether c is one of the strings of the node's
// compatible property.
func (n Node) Compatible(c string) bool {
	return HasString(n.propOrNil("compatible"), c)
}

func (n Node) propOrNil(name string) []byte {
	v, _ := n.Prop(name)
	return v
}

// HasString reports whether s is one of the NUL-terminated strings of
// the string-list property value v.
func HasString(v []byte, s string) bool {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != 0 {
			i++
		}
		if string(v[:i]) == s {
			return true
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
	return false
}

// Reg returns the i'th (address, size) pair of the node's reg
// property, read in its parent's #address-cells and #size-cells.
func (n Node) Reg(i int) (addr, size uint64, ok bool) {
	v, found := n.Prop("reg")
	ac, sc := int(n.addrCells), int(n.sizeCells)
	if !found || ac > 2 || sc > 2 || ac+sc == 0 || i < 0 {
		return 0, 0, false
	}
	entry := 4 * (ac + sc)
	if (i+1)*entry > len(v) {
		return 0, 0, false
	}
	v = v[i*entry:]
	return cellsAt(v, ac), cellsAt(v[4*ac:], sc), true
}

// cellsAt reads n (0, 1 or 2) big-endian cells at the start of v.
func cellsAt(v []byte, n int) uint64 {
	var x uint64
	for j := 0; j < n; j++ {
		x = x<<32 | uint64(be32(v, 4*j))
	}
	return x
}

// Cell returns the i'th 32-bit cell of the node's property called
// name: one value of interrupts, say.
func (n Node) Cell(name string, i int) (uint32, bool) {
	v, ok := n.Prop(name)
	if !ok || i < 0 || 4*i+4 > len(v) {
		return 0, false
	}
	return be32(v, 4*i), true
}

// cells returns the #address-cells and #size-cells the node sets for
// its children.
func (n Node) cells() (addr, size uint32) {
	addr, size = DefaultAddressCells, DefaultSizeCells
	if v, ok := n.Uint("#address-cells"); ok {
		addr = uint32(v)
	}
	if v, ok := n.Uint("#size-cells"); ok {
		size = uint32(v)
	}
	return addr, size
}

// firstChildOff returns the offset of the token after the node's
// properties: its first child's FDT_BEGIN_NODE, or its FDT_END_NODE.
func (n Node) firstChildOff() int {
	t := n.t
	off := n.body()
	for {
		switch t.token(off) {
		case tokenNop:
			off += 4
		case tokenProp:
			off = align4(off + 12 + int(be32(t.structs, off+4)))
		default:
			return off
		}
	}
}

// skip returns the offset just past the FDT_END_NODE of the node whose
// FDT_BEGIN_NODE is at off.
func (t *Tree) skip(off int) int {
	depth := 0
	for {
		switch t.token(off) {
		case tokenBeginNode:
			depth++
			end, _ := t.nameEnd(off + 4)
			off = align4(end + 1)
		case tokenProp:
			off = align4(off + 12 + int(be32(t.structs, off+4)))
		case tokenEndNode:
			depth--
			off += 4
			if depth == 0 {
				return off
			}
		default: // tokenNop; check has ruled out anything else
			off += 4
		}
	}
}

// FirstChild returns the node's first child, if it has one.
func (n Node) FirstChild() (Node, bool) {
	off := n.t.skipNops(n.firstChildOff())
	if n.t.token(off) != tokenBeginNode {
		return Node{}, false
	}
	ac, sc := n.cells()
	return Node{t: n.t, off: off, addrCells: ac, sizeCells: sc}, true
}

// NextSibling returns the node that follows n under the same parent.
func (n Node) NextSibling() (Node, bool) {
	off := n.t.skipNops(n.t.skip(n.off))
	if n.t.token(off) != tokenBeginNode {
		return Node{}, false
	}
	return Node{t: n.t, off: off, addrCells: n.addrCells, sizeCells: n.sizeCells}, true
}

// Child returns the node's child called name. A name without a unit
// address also matches a child that has one: "memory" finds
// "memory@40000000", the first such child.
func (n Node) Child(name string) (Node, bool) {
	for c, ok := n.FirstChild(); ok; c, ok = c.NextSibling() {
		if nameMatches(c.Name(), name) {
			return c, true
		}
	}
	return Node{}, false
}

func nameMatches(have []byte, want string) bool {
	if string(have) == want {
		return true
	}
	for i := 0; i < len(want); i++ {
		if want[i] == '@' {
			return false
		}
	}
	return len(have) > len(want) && have[len(want)] == '@' && string(have[:len(want)]) == want
}

// Find returns the node at the absolute path p, such as "/chosen" or
// "/intc/its"; components match as in Child.
func (t *Tree) Find(p string) (Node, bool) {
	n := t.Root()
	for len(p) > 0 {
		if p[0] == '/' {
			p = p[1:]
			continue
		}
		i := 0
		for i < len(p) && p[i] != '/' {
			i++
		}
		var ok bool
		if n, ok = n.Child(p[:i]); !ok {
			return Node{}, false
		}
		p = p[i:]
	}
	return n, true
}

// Next returns the node after n in document order (depth first, a
// parent before its children), or false after the last one. Start with
// the root.
func (t *Tree) Next(n Node) (Node, bool) {
	if c, ok := n.FirstChild(); ok {
		return c, true
	}
	// Up through the ancestors until one has a next sibling. Nodes
	// do not record their parent, so find the path from the root.
	// (The path is filled here, not by a helper through a pointer,
	// which would make the tree escape to the heap.)
	var path [MaxDepth]Node
	cur := t.Root()
	depth := 0
	path[0] = cur
	for cur.off != n.off {
		c, ok := cur.FirstChild()
		for ok && t.skip(c.off) <= n.off {
			c, ok = c.NextSibling()
		}
		if !ok || depth+1 == MaxDepth { // n is not a node of t
			return Node{}, false
		}
		depth++
		path[depth] = c
		cur = c
	}
	for d := depth; d >= 1; d-- {
		if s, ok := path[d].NextSibling(); ok {
			return s, true
		}
	}
	return Node{}, false
}

// FindCompatible returns the first node, in document order from after
// n, whose compatible property lists c. Pass the zero Node to search
// from the root.
func (t *Tree) FindCompatible(after Node, c string) (Node, bool) {
	var n Node
	ok := true
	if after.Valid() {
		n, ok = t.Next(after)
	} else {
		n = t.Root()
	}
	for ; ok; n, ok = t.Next(n) {
		if n.Compatible(c) {
			return n, true
		}
	}
	return Node{}, false
}

// Phandle returns the node whose phandle property is p.
func (t *Tree) Phandle(p uint32) (Node, bool) {
	for n, ok := t.Root(), true; ok; n, ok = t.Next(n) {
		if v, found := n.Uint("phandle"); found && uint32(v) == p {
			return n, true
		}
	}
	return Node{}, false
}

func align4(off int) int { return (off + 3) &^ 3 }

func be32(b []byte, off int) uint32 {
	b = b[off : off+4]
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
