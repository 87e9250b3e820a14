// Command bench measures how the function copies a recording from the PBX
// into S3, against the SDK's default uploader, an upload-only ceiling and the
// naive ways, in one run on the same bytes. `make bench` runs it.
//
// It starts versitygw over HTTPS with a generated self-signed certificate
// (trusted by the copying processes through AWS_CA_BUNDLE, which points at a
// file the bench writes), a counting TLS reverse proxy in front of it and the
// PBX simulator, all on loopback. Each (method, size) runs in a child process:
// the bench binary re-executed with the hidden subcommand "child", so that its
// rusage (user+sys CPU, peak RSS) and its /proc/self/io write_bytes belong to
// the copy alone. The simulator and the proxy run in the parent, whose CPU is
// not counted.
//
// Usage:
//
//	bench [-sizes 1MiB,64MiB,1GiB,4GiB] [-memory 128,512,1769] [-out docs/performance.md]
//
// The Markdown report is printed to stdout and, with -out, written to a file.
package main
