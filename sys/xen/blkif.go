// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// The block interface (io/blkif.h): one shared ring (io/ring.h) of
// requests, each naming up to 11 segments of granted pages. Sector
// numbers, first_sect and last_sect are in 512-byte units whatever the
// backend's "sector-size".

// Operations (BLKIF_OP_*).
const (
	BlkifOpRead           = 0
	BlkifOpWrite          = 1
	BlkifOpWriteBarrier   = 2 // needs feature-barrier
	BlkifOpFlushDiskcache = 3 // needs feature-flush-cache
	BlkifOpDiscard        = 5
	BlkifOpIndirect       = 6
)

// BlkifMaxSegmentsPerRequest is BLKIF_MAX_SEGMENTS_PER_REQUEST.
const BlkifMaxSegmentsPerRequest = 11

// BlkifSectorSize is the unit of sector_number, first_sect and
// last_sect.
const BlkifSectorSize = 512

// BlkifRequestSegment is struct blkif_request_segment: sectors
// FirstSect through LastSect (inclusive) of the frame granted as Gref.
type BlkifRequestSegment struct {
	Gref      GrantRef
	FirstSect uint8
	LastSect  uint8
	_         uint16
}

// BlkifRequest is struct blkif_request (112 bytes on x86_64).
type BlkifRequest struct {
	Operation    uint8
	NrSegments   uint8
	Handle       uint16 // the virtual device, blkif_vdev_t
	_            uint32
	ID           uint64 // echoed in the response
	SectorNumber uint64
	Seg          [BlkifMaxSegmentsPerRequest]BlkifRequestSegment
}

// BlkifResponse is struct blkif_response (16 bytes on x86_64).
type BlkifResponse struct {
	ID        uint64
	Operation uint8
	_         uint8
	Status    int16 // BLKIF_RSP_*
	_         uint32
}

// Layout of requests and responses.
const (
	BlkifEntrySize        = 112 // union of request and response
	BlkifReqOffOperation  = 0
	BlkifReqOffNrSegments = 1
	BlkifReqOffHandle     = 2
	BlkifReqOffID         = 8
	BlkifReqOffSector     = 16
	BlkifReqOffSeg        = 24
	BlkifSegSize          = 8
	BlkifSegOffGref       = 0
	BlkifSegOffFirstSect  = 4
	BlkifSegOffLastSect   = 5
	BlkifRspOffID         = 0
	BlkifRspOffOperation  = 8
	BlkifRspOffStatus     = 10
	BlkifResponseSize     = 16
)

// Response status (BLKIF_RSP_*).
const (
	BlkifRspEOpNotSupp = -2
	BlkifRspError      = -1
	BlkifRspOkay       = 0
)

// Bits of the backend's "info" key (VDISK_*).
const (
	VdiskCDROM     = 0x1
	VdiskRemovable = 0x2
	VdiskReadonly  = 0x4
)

// ProtoABIX86_64 is the "protocol" key a 64-bit x86 frontend writes
// (XEN_IO_PROTO_ABI_X86_64, io/protocols.h).
const ProtoABIX86_64 = "x86_64-abi"
