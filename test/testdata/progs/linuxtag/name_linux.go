package main

const byName = "name_linux.go"
