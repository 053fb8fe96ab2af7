// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package harness runs Mirago images as PVH guests of real Xen: Debian
// 12's Xen 4.17 with a Linux PV dom0, nested in QEMU (TCG; no KVM
// needed), for the tests and for the exec wrapper's MIRAGO_VMM=xen.
//
// It has a second build for Xen on Arm (BuildArch, FindArch with
// "arm64"): Debian's arm64 Xen and dom0 kernel under
// qemu-system-aarch64's virt machine with EL2, dom0 loaded by QEMU's
// guest-loader, and arm64 Images as Arm domains, each with an emulated
// SBSA UART. Run takes either build's artefacts; the Linux domU and KVM
// kits are amd64's.
//
// Build makes, once per Key, the artefacts in the cache
// ($MIRAGO_CACHE/xen-KEY): Xen, dom0's Debian kernel and an initramfs
// of Debian's Xen tools, bash and busybox with an /init (dom0init.sh)
// and an agent (dom0/main.go). Key hashes the pinned packages and those
// sources, so a change to either rebuilds and an unchanged harness is
// reused.
//
// Run boots Xen and dom0 once and creates the guests of its Options in
// turn, each from a job archive appended to dom0's initramfs. The
// agent in dom0 reports on a virtio serial port of QEMU's; a guest's console
// reaches the host from xenconsoled's log through the agent, and its
// early writes to I/O port 0xE9 on Xen's own serial line as "(dN) ..."
// lines, which Run merges into the guest's console without the prefix.
// A guest's status is N from its last "mirago: exit status N" line, or
// StatusNoStatus (125) if it ended without one, or StatusTimeout (124).
//
// Networking: dom0 has a bridge xenbr0 at 10.99.0.1/24 with udhcpd;
// guest i of a run with Vif gets MAC GuestMAC(i) and address GuestIP(i).
// Disks: a guest's Disk is a host file that QEMU gives dom0 as a virtio
// disk and blkback gives the guest as xvda.
package harness
