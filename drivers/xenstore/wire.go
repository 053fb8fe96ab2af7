// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenstore

import (
	"bytes"
	"strconv"

	"mirago.dev/sys/xen"
)

// This file holds the wire format (xen/include/public/io/xs_wire.h):
// building request payloads and checking what xenstored sends back.
// Replies come from another domain, so every parser here assumes
// nothing about them.

// Errno is an error xenstored reported in an XS_ERROR reply: the name
// of a POSIX errno, as in xs_wire.h's xsd_errors table.
type Errno string

func (e Errno) Error() string { return "xenstore: " + string(e) }

// The errors of xs_wire.h's table.
const (
	EINVAL    = Errno("EINVAL")
	EACCES    = Errno("EACCES")
	EEXIST    = Errno("EEXIST")
	EISDIR    = Errno("EISDIR")
	ENOENT    = Errno("ENOENT")
	ENOMEM    = Errno("ENOMEM")
	ENOSPC    = Errno("ENOSPC")
	EIO       = Errno("EIO")
	ENOTEMPTY = Errno("ENOTEMPTY")
	ENOSYS    = Errno("ENOSYS")
	EROFS     = Errno("EROFS")
	EBUSY     = Errno("EBUSY")
	EAGAIN    = Errno("EAGAIN")
	EISCONN   = Errno("EISCONN")
	E2BIG     = Errno("E2BIG")
	EPERM     = Errno("EPERM")
)

// Error is the type of the package's own errors.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrBadReply is returned for a reply that does not parse, or
	// whose type answers a different request.
	ErrBadReply = Error("xenstore: malformed reply")
	// ErrProtocol is returned once xenstored has broken the ring
	// protocol (an index out of range, an oversized message): the
	// connection is unusable.
	ErrProtocol = Error("xenstore: ring protocol broken by xenstored")
	// ErrTimeout is returned when no reply came in time, and by
	// Watch.Next when no change came in time.
	ErrTimeout = Error("xenstore: timed out")
	// ErrClosed is returned after Close.
	ErrClosed = Error("xenstore: client closed")
	// ErrWatchClosed is returned by Watch.Next once the watch's
	// channel is closed: by Watch.Close, or because the client
	// failed (Client.Err says why).
	ErrWatchClosed = Error("xenstore: watch closed")
	// ErrPath is returned for a path or value that cannot be sent: a
	// NUL byte, or too long.
	ErrPath = Error("xenstore: invalid path or value")
)

// checkPath rejects what xenstored could not take as a path.
func checkPath(p string) error {
	if p == "" || len(p) > xen.XenstoreAbsPathMax || bytes.IndexByte([]byte(p), 0) >= 0 {
		return ErrPath
	}
	return nil
}

// joinNUL builds a payload of strings each followed by a NUL byte,
// except the last if term is false.
func joinNUL(term bool, parts ...string) []byte {
	var b []byte
	for i, p := range parts {
		b = append(b, p...)
		if term || i < len(parts)-1 {
			b = append(b, 0)
		}
	}
	return b
}

// reply is one message from xenstored.
type reply struct {
	typ     uint32
	reqID   uint32
	txID    uint32
	payload []byte
}

// parseHeader checks the 16-byte header of a message from xenstored
// and returns the payload length it announces.
func parseHeader(h []byte) (reply, int, error) {
	r := reply{
		typ:   le32(h[xen.XsdOffType:]),
		reqID: le32(h[xen.XsdOffReqID:]),
		txID:  le32(h[xen.XsdOffTxID:]),
	}
	n := le32(h[xen.XsdOffLen:])
	if n > xen.XenstorePayloadMax {
		return r, 0, ErrProtocol
	}
	return r, int(n), nil
}

// checkType returns the error a reply of r.typ means for a request of
// type op: nil if it answers op, the Errno of an XS_ERROR, ErrBadReply
// otherwise.
func checkType(op uint32, r reply) error {
	switch r.typ {
	case op:
		return nil
	case xen.XSError:
		return parseError(r.payload)
	}
	return ErrBadReply
}

// parseError parses an XS_ERROR payload: an errno name, NUL-terminated.
func parseError(p []byte) error {
	name, ok := oneString(p)
	if !ok || name == "" || len(name) > 16 {
		return ErrBadReply
	}
	for _, c := range []byte(name) {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return ErrBadReply
		}
	}
	return Errno(name)
}

// oneString returns the string in a payload that holds one string, with
// or without its terminating NUL, and no NUL inside.
func oneString(p []byte) (string, bool) {
	if n := len(p); n > 0 && p[n-1] == 0 {
		p = p[:n-1]
	}
	if bytes.IndexByte(p, 0) >= 0 {
		return "", false
	}
	return string(p), true
}

// parseOK checks the payload of a reply that carries only "OK".
func parseOK(p []byte) error {
	if s, ok := oneString(p); !ok || s != "OK" {
		return ErrBadReply
	}
	return nil
}

// parseDirectory splits an XS_DIRECTORY payload: names, each
// NUL-terminated. Names must be single path elements.
func parseDirectory(p []byte) ([]string, error) {
	if len(p) == 0 || len(p) == 1 && p[0] == 0 {
		return nil, nil
	}
	if p[len(p)-1] != 0 {
		return nil, ErrBadReply
	}
	var names []string
	for _, f := range bytes.Split(p[:len(p)-1], []byte{0}) {
		if len(f) == 0 || bytes.IndexByte(f, '/') >= 0 {
			return nil, ErrBadReply
		}
		names = append(names, string(f))
	}
	return names, nil
}

// parseTxID parses an XS_TRANSACTION_START payload: a decimal id.
func parseTxID(p []byte) (uint32, error) {
	s, ok := oneString(p)
	if !ok {
		return 0, ErrBadReply
	}
	id, err := strconv.ParseUint(s, 10, 32)
	if err != nil || id == 0 {
		return 0, ErrBadReply
	}
	return uint32(id), nil
}

// parseWatchEvent splits an XS_WATCH_EVENT payload into the path that
// changed and the watch's token. Fields after the token are ignored.
func parseWatchEvent(p []byte) (path, token string, err error) {
	f := bytes.SplitN(p, []byte{0}, 3)
	if len(f) < 2 || len(f[0]) == 0 {
		return "", "", ErrBadReply
	}
	return string(f[0]), string(f[1]), nil
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
