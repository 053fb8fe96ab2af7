// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// The xenstore wire protocol (io/xs_wire.h). A domU talks to xenstored
// over one page (HVM_PARAM_STORE_PFN, with HVM_PARAM_STORE_EVTCHN) that
// holds two byte rings: requests to the daemon and its replies and watch
// events. Each message is a 16-byte header (struct xsd_sockmsg) and len
// bytes of payload, usually NUL-terminated strings.

// Message types (enum xsd_sockmsg_type).
const (
	XSControl            = 0
	XSDirectory          = 1
	XSRead               = 2
	XSGetPerms           = 3
	XSWatch              = 4
	XSUnwatch            = 5
	XSTransactionStart   = 6
	XSTransactionEnd     = 7
	XSIntroduce          = 8
	XSRelease            = 9
	XSGetDomainPath      = 10
	XSWrite              = 11
	XSMkdir              = 12
	XSRm                 = 13
	XSSetPerms           = 14
	XSWatchEvent         = 15
	XSError              = 16
	XSIsDomainIntroduced = 17
	XSResume             = 18
	XSSetTarget          = 19
	XSResetWatches       = 21 // XS_SET_TARGET + 2: XS_RESTRICT was removed
	XSDirectoryPart      = 22
	XSGetFeature         = 23
	XSSetFeature         = 24
	XSGetQuota           = 25
	XSSetQuota           = 26
	XSTypeCount          = 27
	XSInvalid            = 0xffff
)

// XsdSockmsg is struct xsd_sockmsg, the header of every message.
type XsdSockmsg struct {
	Type  uint32 // XS*
	ReqID uint32 // echoed in the reply
	TxID  uint32 // transaction, 0 for none
	Len   uint32 // bytes of payload that follow
}

// Layout of xsd_sockmsg.
const (
	XsdSockmsgSize = 16
	XsdOffType     = 0
	XsdOffReqID    = 4
	XsdOffTxID     = 8
	XsdOffLen      = 12
)

// Fields of an XS_WATCH_EVENT payload (enum xs_watch_type): the path
// that fired, then the watch's token.
const (
	XSWatchPath  = 0
	XSWatchToken = 1
)

// XsdErrors lists the error names an XS_ERROR reply may carry, in the
// order of xs_wire.h's xsd_errors table (new ones are added at its
// end).
var XsdErrors = [...]string{
	"EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM",
	"ENOSPC", "EIO", "ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY",
	"EAGAIN", "EISCONN", "E2BIG", "EPERM",
}

// struct xenstore_domain_interface: the ring page.
const (
	XenstoreRingSize    = 1024 // each ring; indices are taken modulo it
	XsOffReq            = 0
	XsOffRsp            = 1024
	XsOffReqCons        = 2048
	XsOffReqProd        = 2052
	XsOffRspCons        = 2056
	XsOffRspProd        = 2060
	XsOffServerFeatures = 2064
	XsOffConnection     = 2068
	XsOffError          = 2072
	XsOffEvtchnPort     = 2076
	XsInterfaceSize     = 2080
)

// XenstoreDomainInterface is struct xenstore_domain_interface.
type XenstoreDomainInterface struct {
	Req            [XenstoreRingSize]byte
	Rsp            [XenstoreRingSize]byte
	ReqCons        uint32
	ReqProd        uint32
	RspCons        uint32
	RspProd        uint32
	ServerFeatures uint32
	Connection     uint32
	Error          uint32
	EvtchnPort     uint32
}

// Limits (xs_wire.h). A payload over XenstorePayloadMax is a protocol
// violation; over-long paths only get an error back.
const (
	XenstorePayloadMax = 4096
	XenstoreAbsPathMax = 3072
	XenstoreRelPathMax = 2048
)

// Server feature bits (XENSTORE_SERVER_FEATURE_*), the connection
// field's values (XENSTORE_CONNECTED, XENSTORE_RECONNECT) and the error
// field's (XENSTORE_ERROR_*).
const (
	XenstoreServerFeatureReconnection = 1
	XenstoreServerFeatureError        = 2
	XenstoreServerFeatureWatchDepth   = 4
	XenstoreServerFeatureDomidAny     = 8

	XenstoreConnected = 0
	XenstoreReconnect = 1

	XenstoreErrorNone    = 0
	XenstoreErrorComm    = 1
	XenstoreErrorRingIdx = 2
	XenstoreErrorProto   = 3
)

// Xenbus states (enum xenbus_state, io/xenbus.h): each end of a split
// device writes its own as a decimal string to its "state" key.
const (
	XenbusStateUnknown       = 0
	XenbusStateInitialising  = 1
	XenbusStateInitWait      = 2
	XenbusStateInitialised   = 3
	XenbusStateConnected     = 4
	XenbusStateClosing       = 5
	XenbusStateClosed        = 6
	XenbusStateReconfiguring = 7
	XenbusStateReconfigured  = 8
)
