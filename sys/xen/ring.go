// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// The generic shared ring of the split drivers (io/ring.h): one page
// (or more) that begins with a 64-byte header of four free-running
// 32-bit indices, then an array of entries, each the size of the larger
// of the request and response structures. The frontend writes requests
// and req_prod, the backend writes responses and rsp_prod; each side
// sets the other's event index (req_event, rsp_event) to the producer
// value at which it wants an event.
//
//	offset 0   req_prod   (frontend)
//	offset 4   req_event  (backend: notify me when req_prod passes this)
//	offset 8   rsp_prod   (backend)
//	offset 12  rsp_event  (frontend: notify me when rsp_prod passes this)
//	offset 16  pvt[4], then 44 bytes of padding
//	offset 64  ring[]
const (
	SringOffReqProd  = 0
	SringOffReqEvent = 4
	SringOffRspProd  = 8
	SringOffRspEvent = 12
	SringOffPvt      = 16
	SringHeaderSize  = 64
)

// SringHeader is the header of a shared ring (struct <name>_sring
// before ring[]).
type SringHeader struct {
	ReqProd, ReqEvent uint32
	RspProd, RspEvent uint32
	Pvt               [4]byte
	_                 [44]byte
}

// RingSize is the number of entries of entrySize bytes that a shared
// ring of size bytes holds: as many as fit after the header, rounded
// down to a power of 2 (__CONST_RING_SIZE). It is 0 if none fit.
func RingSize(size, entrySize int) int {
	if entrySize <= 0 || size <= SringHeaderSize {
		return 0
	}
	n := (size - SringHeaderSize) / entrySize
	p := 1
	for p*2 <= n {
		p *= 2
	}
	if n == 0 {
		return 0
	}
	return p
}

// RingNeedEvent reports whether a side that moved its producer index
// from old to new must notify the other, which asked for an event once
// the index passes event (the check of
// RING_PUSH_{REQUESTS,RESPONSES}_AND_CHECK_NOTIFY): event lies in
// (old, new], modulo 2^32.
func RingNeedEvent(event, new, old uint32) bool {
	return new-event < new-old
}
