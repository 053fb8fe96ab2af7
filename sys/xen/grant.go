// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// Grant tables (grant_table.h). A domain grants another domain access
// to one of its frames by filling an entry of its grant table, a
// packed array of grant_entry_v1 in frames that Xen maps into the
// domain's physical address space (XENMEM_add_to_physmap with
// XENMAPSPACE_grant_table). The entry's index is the grant reference
// the other domain maps or copies by.

// GrantRef is grant_ref_t.
type GrantRef = uint32

// GrantEntryV1 is struct grant_entry_v1: Flags (GTF_*, written by the
// guest and by Xen), Domid (the domain granted access) and Frame (the
// granted frame number). Only 32 bits of frame: v1 reaches 16 TiB.
type GrantEntryV1 struct {
	Flags uint16
	Domid uint16
	Frame uint32
}

// Layout of grant_entry_v1.
const (
	GrantEntryV1Size     = 8
	GrantEntryOffFlags   = 0
	GrantEntryOffDomid   = 2
	GrantEntryOffFrame   = 4
	GrantEntriesPerFrame = PageSize / GrantEntryV1Size
)

// Entries the toolstack may fill before the guest starts
// (GNTTAB_NR_RESERVED_ENTRIES, GNTTAB_RESERVED_*): a guest allocates
// references from GnttabNrReservedEntries up.
const (
	GnttabNrReservedEntries = 8
	GnttabReservedConsole   = 0
	GnttabReservedXenstore  = 1
)

// Flags of a grant entry (GTF_*). The type is in the low two bits;
// GTF_reading and GTF_writing are set by Xen while the grantee has the
// frame mapped for reading or writing.
const (
	GTFInvalid        = 0
	GTFPermitAccess   = 1
	GTFAcceptTransfer = 2
	GTFTransitive     = 3
	GTFTypeMask       = 3
	GTFReadonly       = 1 << 2
	GTFReading        = 1 << 3
	GTFWriting        = 1 << 4
	GTFPWT            = 1 << 5
	GTFPCD            = 1 << 6
	GTFPAT            = 1 << 7
	GTFSubPage        = 1 << 8
)

// Commands of HYPERVISOR_grant_table_op (GNTTABOP_*).
const (
	GnttabOpMapGrantRef   = 0
	GnttabOpUnmapGrantRef = 1
	GnttabOpSetupTable    = 2
	GnttabOpDumpTable     = 3
	GnttabOpTransfer      = 4
	GnttabOpCopy          = 5
	GnttabOpQuerySize     = 6
	GnttabOpSetVersion    = 8
	GnttabOpGetVersion    = 10
)

// GnttabQuerySize is struct gnttab_query_size: how many grant-table
// frames the domain has and may have.
type GnttabQuerySize struct {
	Dom         uint16
	_           uint16
	NrFrames    uint32 // out
	MaxNrFrames uint32 // out
	Status      int16  // out, GNTST_*
	_           uint16
}

// Status codes of grant-table operations (GNTST_*).
const (
	GNTSTOkay             = 0
	GNTSTGeneralError     = -1
	GNTSTBadDomain        = -2
	GNTSTBadGntref        = -3
	GNTSTBadHandle        = -4
	GNTSTBadVirtAddr      = -5
	GNTSTBadDevAddr       = -6
	GNTSTNoDeviceSpace    = -7
	GNTSTPermissionDenied = -8
	GNTSTBadPage          = -9
	GNTSTBadCopyArg       = -10
	GNTSTAddressTooBig    = -11
	GNTSTEagain           = -12
	GNTSTNoSpace          = -13
)
