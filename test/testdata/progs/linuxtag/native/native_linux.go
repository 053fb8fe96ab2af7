package native

const Which = "native_linux.go"
