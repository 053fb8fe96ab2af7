// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// Event channels (event_channel.h). HYPERVISOR_event_channel_op(cmd,
// arg) takes one of the structures below as arg.

// Commands of HYPERVISOR_event_channel_op (EVTCHNOP_*).
const (
	EvtchnOpBindInterdomain = 0
	EvtchnOpBindVirq        = 1
	EvtchnOpBindPirq        = 2
	EvtchnOpClose           = 3
	EvtchnOpSend            = 4
	EvtchnOpStatus          = 5
	EvtchnOpAllocUnbound    = 6
	EvtchnOpBindIPI         = 7
	EvtchnOpBindVCPU        = 8
	EvtchnOpUnmask          = 9
	EvtchnOpReset           = 10
)

// EvtchnPort is evtchn_port_t.
type EvtchnPort = uint32

// Evtchn2LNrChannels is the number of ports of the 2-level ABI for a
// 64-bit guest (EVTCHN_2L_NR_CHANNELS: 64 words of 64 bits).
const Evtchn2LNrChannels = 64 * 64

// EvtchnAllocUnbound is struct evtchn_alloc_unbound: allocate a port
// in domain Dom (DomidSelf) that domain RemoteDom may bind to. Port is
// the result.
type EvtchnAllocUnbound struct {
	Dom, RemoteDom uint16
	Port           EvtchnPort
}

// EvtchnBindInterdomain is struct evtchn_bind_interdomain.
type EvtchnBindInterdomain struct {
	RemoteDom  uint16
	_          uint16
	RemotePort EvtchnPort
	LocalPort  EvtchnPort // out
}

// EvtchnBindVirq is struct evtchn_bind_virq: bind Virq on VCPU to a
// new port (out).
type EvtchnBindVirq struct {
	Virq uint32
	VCPU uint32
	Port EvtchnPort // out
}

// EvtchnPortArg is the argument of EVTCHNOP_close, EVTCHNOP_send and
// EVTCHNOP_unmask (struct evtchn_close, evtchn_send, evtchn_unmask:
// each just the port).
type EvtchnPortArg struct {
	Port EvtchnPort
}

// EvtchnBindVCPU is struct evtchn_bind_vcpu.
type EvtchnBindVCPU struct {
	Port EvtchnPort
	VCPU uint32
}
