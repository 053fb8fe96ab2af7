// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtiospec

// Network device (§5.1 "Network Device"). Queue 2k is receiveq(k+1) and
// 2k+1 is transmitq(k+1); the control queue, if any, comes after the
// last pair.
const (
	NetQueueRX = 0
	NetQueueTX = 1
)

// Network feature bits (§5.1.3 "Feature bits").
const (
	NetFCsum             = 0  // the device completes partial checksums on transmit
	NetFGuestCsum        = 1  // the driver accepts partial checksums on receive
	NetFCtrlGuestOffload = 2  // offloads can be reconfigured through the control queue
	NetFMTU              = 3  // the mtu configuration field is valid
	NetFMAC              = 5  // the mac configuration field is valid
	NetFGuestTSO4        = 7  // the driver takes TCPv4 segments larger than the MTU
	NetFGuestTSO6        = 8  // ... TCPv6
	NetFGuestECN         = 9  // ... with ECN
	NetFGuestUFO         = 10 // ... UDP fragmentation offload
	NetFHostTSO4         = 11 // the device segments TCPv4 on transmit
	NetFHostTSO6         = 12
	NetFHostECN          = 13
	NetFHostUFO          = 14
	NetFMrgRxbuf         = 15 // a received frame may span several buffers (num_buffers)
	NetFStatus           = 16 // the status configuration field is valid
	NetFCtrlVQ           = 17 // there is a control queue
	NetFCtrlRX           = 18
	NetFCtrlVLAN         = 19
	NetFGuestAnnounce    = 21
	NetFMQ               = 22 // several queue pairs
	NetFCtrlMACAddr      = 23
	NetFHashReport       = 57
	NetFRSS              = 60
	NetFRSCExt           = 61
	NetFStandby          = 62
	NetFSpeedDuplex      = 63
)

// Offsets in the network device configuration, struct virtio_net_config
// (§5.1.4 "Device configuration layout").
const (
	NetCfgMAC               = 0  // u8[6], with NetFMAC
	NetCfgStatus            = 6  // le16, with NetFStatus
	NetCfgMaxVirtqueuePairs = 8  // le16, with NetFMQ
	NetCfgMTU               = 10 // le16, with NetFMTU
	NetCfgSpeed             = 12 // le32, with NetFSpeedDuplex
	NetCfgDuplex            = 16 // u8
)

// Bits of the status configuration field.
const (
	NetSLinkUp   = 1
	NetSAnnounce = 2
)

// The header in front of every frame on both queues, struct
// virtio_net_hdr (§5.1.6 "Device Operation"). With FVersion1 it is
// always 12 bytes: num_buffers is present whether or not NetFMrgRxbuf
// is negotiated (without it, the device sets it to 1).
const (
	NetHdrSize          = 12
	NetHdrOffFlags      = 0  // u8: NetHdrF*
	NetHdrOffGSOType    = 1  // u8: NetHdrGSO*
	NetHdrOffHdrLen     = 2  // le16
	NetHdrOffGSOSize    = 4  // le16
	NetHdrOffCsumStart  = 6  // le16: where checksumming starts
	NetHdrOffCsumOffset = 8  // le16: where, after csum_start, the sum goes
	NetHdrOffNumBuffers = 10 // le16: buffers this frame spans on receive
)

// Header flags.
const (
	NetHdrFNeedsCsum = 1 // the checksum from csum_start on is still to be computed
	NetHdrFDataValid = 2 // on receive: the device checked the checksum
	NetHdrFRSCInfo   = 4
)

// Header GSO types.
const (
	NetHdrGSONone  = 0
	NetHdrGSOTCPv4 = 1
	NetHdrGSOUDP   = 3
	NetHdrGSOTCPv6 = 4
	NetHdrGSOUDPL4 = 5
	NetHdrGSOECN   = 0x80
)
