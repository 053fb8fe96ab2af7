// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// The functions declared without a body in net_solo5.go and devices.go
// are provided by the runtime through //go:linkname; an assembly file
// lets the compiler accept their declarations (mmio_xen_amd64.s does
// it on xen).
