//go:build !linux

package main

const byName = "name_other.go"
