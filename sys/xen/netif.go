// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// The network interface (io/netif.h): a transmit and a receive shared
// ring (io/ring.h), each one page, granted to the backend.

// NetifTxRequest is struct netif_tx_request (12 bytes, a tx ring
// entry): Size is the whole packet's size in the first slot of a
// packet, the fragment's in later slots.
type NetifTxRequest struct {
	Gref   GrantRef
	Offset uint16
	Flags  uint16 // NETTXF_*
	ID     uint16
	Size   uint16
}

// NetifTxResponse is struct netif_tx_response.
type NetifTxResponse struct {
	ID     uint16
	Status int16 // NETIF_RSP_*
}

// NetifRxRequest is struct netif_rx_request (8 bytes, an rx ring
// entry).
type NetifRxRequest struct {
	ID   uint16
	_    uint16
	Gref GrantRef
}

// NetifRxResponse is struct netif_rx_response: Status is the number of
// bytes received at Offset in the granted page, or a negative NETIF_RSP_*.
type NetifRxResponse struct {
	ID     uint16
	Offset uint16
	Flags  uint16 // NETRXF_*
	Status int16
}

// Layout of the entries.
const (
	NetifTxEntrySize    = 12 // union of request (12) and response (4)
	NetifRxEntrySize    = 8
	NetifTxOffGref      = 0
	NetifTxOffOffset    = 4
	NetifTxOffFlags     = 6
	NetifTxOffID        = 8
	NetifTxOffSize      = 10
	NetifTxRspOffID     = 0
	NetifTxRspOffStatus = 2
	NetifRxOffID        = 0
	NetifRxOffGref      = 4
	NetifRxRspOffID     = 0
	NetifRxRspOffOffset = 2
	NetifRxRspOffFlags  = 4
	NetifRxRspOffStatus = 6
	// NetifExtraInfoSize: struct netif_extra_info, which takes a
	// whole slot after a request or response with the extra_info flag.
	NetifExtraInfoSize = 8
)

// Transmit flags (NETTXF_*).
const (
	NETTXFCsumBlank     = 1 << 0 // the L4 checksum is not filled in
	NETTXFDataValidated = 1 << 1
	NETTXFMoreData      = 1 << 2 // another fragment follows
	NETTXFExtraInfo     = 1 << 3 // a netif_extra_info slot follows
)

// Receive flags (NETRXF_*).
const (
	NETRXFDataValidated = 1 << 0 // the backend checked the checksums
	NETRXFCsumBlank     = 1 << 1 // the checksum is not filled in (a local sender)
	NETRXFMoreData      = 1 << 2 // the packet continues in the next slot
	NETRXFExtraInfo     = 1 << 3 // a netif_extra_info slot follows
	NETRXFGSOPrefix     = 1 << 4
)

// Extra info (XEN_NETIF_EXTRA_*): a slot's type byte and its flags,
// whose MORE bit says another extra slot follows.
const (
	NetifExtraTypeNone     = 0
	NetifExtraTypeGSO      = 1
	NetifExtraTypeMcastAdd = 2
	NetifExtraTypeMcastDel = 3
	NetifExtraTypeHash     = 4
	NetifExtraFlagMore     = 1 << 0
)

// Response status (NETIF_RSP_*).
const (
	NetifRspDropped = -2
	NetifRspError   = -1
	NetifRspOkay    = 0
	NetifRspNull    = 1 // the response to an extra info slot
)

// Limits: XEN_NETIF_MAX_TX_SIZE, the largest packet; and
// XEN_NETIF_NR_SLOTS_MIN, the slots per packet every backend accepts.
const (
	NetifMaxTxSize  = 0xffff
	NetifNrSlotsMin = 18
)
