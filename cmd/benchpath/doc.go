// Command benchpath measures the whole path a recording takes, from its
// call's end to its recording stored, under a load of calls: the real
// bootstraps of the webhook and the copy function under the Runtime
// Interface Emulator, the local S3 server, the SQS test endpoint, and the
// queue's event-source mapping with the template's settings (batch size,
// batching window, maximum concurrency, visibility timeout, partial batch
// responses). `make bench-path` runs it.
//
// Calls end as a Poisson process; each leaves a recording (log-normal
// sizes, median 1 MiB, up to 50 MiB; a share of .mp3s, which the PBX
// serves one at a time) that the PBX simulator serves at a bounded rate,
// and the simulator posts a signed 30012 to a free webhook instance. A
// small share of downloads drop half way, and a small share of
// recording/download requests answer that the PBX is busy.
//
// Each copy instance is one emulator, which runs one invocation at a time
// as one execution environment does: a maximum concurrency of N is N
// instances, each fed by its own poller. The run ends when every recording
// is stored (or -drain passes). It reports CallEndToStored from the copy
// function's own metric lines, recordings stored, lost and stored twice,
// multipart uploads left open, GB-seconds per 1,000 recordings from the
// emulator's REPORT lines (billed duration x memory setting), PBX, S3 and
// SQS requests per recording, the copy function's peak concurrency and
// peak RSS, and why failed copies failed. With -baseline (the default),
// every setting runs again with the SDK's default uploader sizing (5 MiB
// parts, 5 in flight) in the copy; with -baseline-fit-memory, at the
// memory setting its buffers need (within half of it, as the function keeps
// its own; never less than the run it is compared with). It also reports
// the function processes' CPU time per recording.
//
// The emulator neither shares out CPU by memory setting nor enforces the
// memory limit, as Lambda does (1/1769 of a vCPU per MB); with
// -lambda-limits each copy instance runs in a cgroup that does both (Linux
// with the cgroup v1 cpu and memory hierarchies writable, as root), and the
// report adds how long the CPU share held the copies back and how often the
// memory limit ended one. Without it the billed seconds are a lower bound
// for small memory settings.
//
// Usage:
//
//	benchpath [-rate 20[,5,50]] [-duration 60s] [-batch-size 10[,1,5]] [-window 5[,0,1]]
//	          [-max-concurrency 2] [-memory 128[,256,512]] [-batch-concurrency 5[,2]]
//	          [-median-mib 1] [-pbx-mibps 20] [-drain 2m] [-baseline=false] [-baseline-fit-memory]
//	          [-lambda-limits]
package main
