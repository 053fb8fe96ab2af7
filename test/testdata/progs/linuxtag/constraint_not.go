//go:build !linux && !darwin

package main

const byConstraint = "!linux && !darwin"
