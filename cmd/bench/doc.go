// Command bench measures how the function copies a recording from the PBX
// into S3, against the SDK's default uploader, an upload-only ceiling and the
// naive ways, in one run on the same bytes. `make bench` runs it.
//
// It starts versitygw over HTTPS with a generated self-signed certificate
// (trusted by the copying processes through AWS_CA_BUNDLE, which points at a
// file the bench writes), keep-alive on and its access log counting the S3
// requests, and the PBX simulator, all on loopback. Each (method, size) runs
// in a child process: the bench binary re-executed with the hidden
// subcommand "child", so that its rusage (user+sys CPU, peak RSS) and its
// /proc/self/io counters belong to the copy alone. The simulator runs in the
// parent, whose CPU is not counted; the S3 server's is reported apart.
// Every measurement is repeated (-runs) and the medians reported. A sweep
// then runs the function with other part sizes and parts in flight at each
// memory setting, to show why its defaults are what they are.
//
// Usage:
//
//	bench [-sizes 1MiB,64MiB,1GiB,4GiB] [-memory 128,512,1769] [-runs 3] [-sweep 1GiB]
//	      [-methods function,uploader,...] [-fn-env NAME=value,...] [-cpuprofile dir] [-out docs/performance.md]
//
// The Markdown report is printed to stdout and, with -out, written to a file;
// the end of that file from the marker notesMarker on is written by hand
// (what a change cost, measured before and after it) and kept.
package main
