// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtiospec

// Block device (§5.2 "Block Device"). Queue 0 is requestq1.

// BlkSectorSize is the unit of capacity and of the sector field of a
// request, whatever the device's block size (§5.2.4).
const BlkSectorSize = 512

// Block feature bits (§5.2.3 "Feature bits").
const (
	BlkFSizeMax     = 1  // size_max is the largest segment
	BlkFSegMax      = 2  // seg_max is the most segments in a request
	BlkFGeometry    = 4  // the geometry field is valid
	BlkFRO          = 5  // the device is read-only
	BlkFBlkSize     = 6  // blk_size is valid
	BlkFFlush       = 9  // the flush command exists
	BlkFTopology    = 10 // the topology fields are valid
	BlkFConfigWCE   = 11 // the cache mode can be switched (writeback field)
	BlkFMQ          = 12 // several request queues
	BlkFDiscard     = 13
	BlkFWriteZeroes = 14
	BlkFLifetime    = 15
	BlkFSecureErase = 16
	BlkFZoned       = 17
)

// Offsets in the block device configuration, struct virtio_blk_config
// (§5.2.4 "Device configuration layout").
const (
	BlkCfgCapacity         = 0  // le64: size in 512-byte sectors
	BlkCfgSizeMax          = 8  // le32, with BlkFSizeMax
	BlkCfgSegMax           = 12 // le32, with BlkFSegMax
	BlkCfgCylinders        = 16 // le16, with BlkFGeometry
	BlkCfgHeads            = 18 // u8
	BlkCfgSectors          = 19 // u8
	BlkCfgBlkSize          = 20 // le32, with BlkFBlkSize
	BlkCfgPhysicalBlockExp = 24 // u8, with BlkFTopology
	BlkCfgAlignmentOffset  = 25 // u8
	BlkCfgMinIOSize        = 26 // le16
	BlkCfgOptIOSize        = 28 // le32
	BlkCfgWriteback        = 32 // u8, with BlkFConfigWCE
	BlkCfgNumQueues        = 34 // le16, with BlkFMQ
)

// A request is a chain of a device-readable header, the data (readable
// for writes, writable for reads) and a device-writable status byte
// (§5.2.6 "Device Operation"). The header is le32 type, le32 reserved,
// le64 sector.
const (
	BlkReqHdrSize   = 16
	BlkReqOffType   = 0
	BlkReqOffSector = 8
)

// Request types.
const (
	BlkTIn          = 0 // read sectors
	BlkTOut         = 1 // write sectors
	BlkTFlush       = 4 // commit written data to stable storage
	BlkTGetID       = 8 // read the device ID string
	BlkTGetLifetime = 10
	BlkTDiscard     = 11
	BlkTWriteZeroes = 13
	BlkTSecureErase = 14
)

// BlkIDBytes is the size of the GetID answer: an ASCII serial number,
// NUL-padded, not NUL-terminated when all 20 bytes are used.
const BlkIDBytes = 20

// Status byte values.
const (
	BlkSOK     = 0
	BlkSIOErr  = 1
	BlkSUnsupp = 2
)
