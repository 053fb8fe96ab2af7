// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

import "sync"

// The process's user and group IDs: real, effective and saved, changed
// by the Set*id calls with Linux's rules (setuid(2), setreuid(2),
// setresuid(2)), where an effective user ID of 0 may set any. A server
// that drops root after it starts sees the IDs it asked for. Nothing
// else changes: the file system still checks permissions as for root.

var ids struct {
	mu               sync.Mutex
	ruid, euid, suid int // user IDs: real, effective, saved
	rgid, egid, sgid int // group IDs: real, effective, saved
}

func Getuid() int  { return getID(&ids.ruid) }
func Geteuid() int { return getID(&ids.euid) }
func Getgid() int  { return getID(&ids.rgid) }
func Getegid() int { return getID(&ids.egid) }

func getID(p *int) int {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	return *p
}

func Getgroups() (groups []int, err error) {
	return []int{Getegid()}, nil
}

func Setuid(uid int) error {
	return setid(uid, true)
}

func Setgid(gid int) error {
	return setid(gid, false)
}

// setid is setuid (user) or setgid: privileged, it sets all three IDs;
// otherwise only the effective one, to the real or saved ID.
func setid(id int, user bool) error {
	if id < 0 {
		return EINVAL
	}
	ids.mu.Lock()
	defer ids.mu.Unlock()
	r, e, s := idSet(user)
	switch {
	case ids.euid == 0:
		*r, *e, *s = id, id, id
	case id == *r || id == *s:
		*e = id
	default:
		return EPERM
	}
	return nil
}

func Setreuid(ruid, euid int) error {
	return setreid(ruid, euid, true)
}

func Setregid(rgid, egid int) error {
	return setreid(rgid, egid, false)
}

// setreid is setreuid or setregid; -1 leaves an ID as it is. When the
// real ID is set, or the effective one to other than the old real ID,
// the saved ID becomes the new effective one.
func setreid(rid, eid int, user bool) error {
	if rid < -1 || eid < -1 {
		return EINVAL
	}
	ids.mu.Lock()
	defer ids.mu.Unlock()
	r, e, s := idSet(user)
	if ids.euid != 0 {
		if rid != -1 && rid != *r && rid != *e ||
			eid != -1 && eid != *r && eid != *e && eid != *s {
			return EPERM
		}
	}
	oldReal := *r
	if rid != -1 {
		*r = rid
	}
	if eid != -1 {
		*e = eid
	}
	if rid != -1 || eid != -1 && eid != oldReal {
		*s = *e
	}
	return nil
}

func Setresuid(ruid, euid, suid int) error {
	return setresid(ruid, euid, suid, true)
}

func Setresgid(rgid, egid, sgid int) error {
	return setresid(rgid, egid, sgid, false)
}

// setresid is setresuid or setresgid; -1 leaves an ID as it is.
// Unprivileged, each new ID must be one of the current three.
func setresid(rid, eid, sid int, user bool) error {
	if rid < -1 || eid < -1 || sid < -1 {
		return EINVAL
	}
	ids.mu.Lock()
	defer ids.mu.Unlock()
	r, e, s := idSet(user)
	if ids.euid != 0 {
		for _, id := range []int{rid, eid, sid} {
			if id != -1 && id != *r && id != *e && id != *s {
				return EPERM
			}
		}
	}
	for _, p := range []struct {
		dst *int
		id  int
	}{{r, rid}, {e, eid}, {s, sid}} {
		if p.id != -1 {
			*p.dst = p.id
		}
	}
	return nil
}

// idSet returns the user IDs or the group IDs. The caller holds ids.mu.
func idSet(user bool) (r, e, s *int) {
	if user {
		return &ids.ruid, &ids.euid, &ids.suid
	}
	return &ids.rgid, &ids.egid, &ids.sgid
}
