// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// A reader of "newc" cpio archives (magic 070701), the format of boot
// archives. It was chosen over tar because its header is fixed-size
// ASCII hex with the name length in it: one pass, no checksum fields to
// interpret, no extensions (long names, pax records) to implement.
//
// An entry is a 110-byte header, the name (its length, NUL included, is
// in the header) padded so that the data starts at a multiple of 4, and
// the data padded to a multiple of 4. The entry named TRAILER!!! ends
// the archive; bytes after it are ignored (loaders pad modules).
//
// This file imports nothing, so that a host-side test can compile it
// outside package syscall (test/newc_test.go).

// newcEntry is one member of an archive.
type newcEntry struct {
	name  string // cleaned: no leading "/" or "./", no "." or ".." components
	mode  uint32 // S_IFMT type and permission bits, as in the header
	mtime int64
	data  []byte // a regular file's contents or a symbolic link's target
}

// newcError describes why an archive is malformed.
type newcError struct {
	off int // byte offset of the entry at fault
	msg string
}

func (e *newcError) Error() string {
	return "at byte " + itoaNewc(e.off) + ": " + e.msg
}

const (
	newcHeaderLen = 110
	newcTrailer   = "TRAILER!!!"
)

// parseNewc calls fn, if not nil, for each entry of the newc archive b,
// in order, except the root itself ("." or "/"). It stops at the trailer
// and returns an error if b is malformed: bad magic or hex, a name
// without its NUL, a name with a ".." component, or data running past
// the end. Callers that must not apply half an archive call it once
// with fn == nil to validate first.
func parseNewc(b []byte, fn func(newcEntry)) error {
	off := 0
	for {
		if len(b)-off < newcHeaderLen {
			return &newcError{off, "truncated header (no " + newcTrailer + " entry)"}
		}
		h := b[off : off+newcHeaderLen]
		if string(h[:6]) != "070701" {
			return &newcError{off, "bad magic " + quoteNewc(string(h[:6])) + " (want newc, 070701)"}
		}
		var fields [13]uint32
		for i := range fields {
			v, ok := hexNewc(h[6+8*i : 14+8*i])
			if !ok {
				return &newcError{off, "bad hex digits in header field " + itoaNewc(i)}
			}
			fields[i] = v
		}
		mode, mtime, size, namesize := fields[1], fields[5], int(fields[6]), int(fields[11])
		nameEnd := off + newcHeaderLen + namesize
		if namesize < 1 || nameEnd > len(b) || nameEnd < off {
			return &newcError{off, "name runs past the end of the archive"}
		}
		if b[nameEnd-1] != 0 {
			return &newcError{off, "name is not NUL-terminated"}
		}
		name := string(b[off+newcHeaderLen : nameEnd-1])
		dataOff := align4Newc(nameEnd)
		dataEnd := dataOff + size
		if size < 0 || dataEnd > len(b) || dataEnd < dataOff {
			return &newcError{off, quoteNewc(name) + ": data runs past the end of the archive"}
		}
		if name == newcTrailer {
			return nil
		}
		clean, ok := cleanNewcName(name)
		if !ok {
			return &newcError{off, quoteNewc(name) + ": name has a \"..\" component"}
		}
		if clean != "" && fn != nil {
			fn(newcEntry{name: clean, mode: mode, mtime: int64(mtime), data: b[dataOff:dataEnd]})
		}
		off = align4Newc(dataEnd)
	}
}

// cleanNewcName drops leading slashes, empty and "." components; it
// refuses ".." so that an archive cannot name files outside its mount
// point.
func cleanNewcName(name string) (string, bool) {
	out := ""
	for name != "" {
		i := 0
		for i < len(name) && name[i] != '/' {
			i++
		}
		c := name[:i]
		if i < len(name) {
			i++
		}
		name = name[i:]
		switch c {
		case "", ".":
			continue
		case "..":
			return "", false
		}
		if out != "" {
			out += "/"
		}
		out += c
	}
	return out, true
}

func align4Newc(n int) int { return (n + 3) &^ 3 }

func hexNewc(b []byte) (uint32, bool) {
	var v uint32
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}

func itoaNewc(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}

// quoteNewc quotes s for a message, hiding control bytes.
func quoteNewc(s string) string {
	b := []byte{'"'}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' {
			c = '?'
		}
		b = append(b, c)
	}
	return string(append(b, '"'))
}
