package main

import (
	"math"
	"math/rand/v2"
	"time"
)

// faultKind is what goes wrong with one call's copy, if anything.
type faultKind int

const (
	faultNone  faultKind = iota
	faultReset           // the download's connection drops half way
	faultBusy            // recording/download answers 70082 (the PBX is busy) once
)

// call is one call that ends during a run, with the recording it leaves.
type call struct {
	At    time.Duration // when it ends, from the run's start
	Size  int64         // its recording's bytes
	MP3   bool          // the recording is an .mp3 (one download at a time)
	Fault faultKind
}

// mix is how the calls of a run are drawn.
type mix struct {
	Rate       float64       // calls ending per second (a Poisson process)
	Duration   time.Duration // how long calls keep ending
	MedianSize int64         // the recordings' median size
	Sigma      float64       // spread of the sizes' log-normal distribution
	MinSize    int64         // sizes are clamped to [MinSize, MaxSize]
	MaxSize    int64
	MP3Share   float64 // share of .mp3 recordings
	ResetShare float64 // share of downloads cut half way
	BusyShare  float64 // share of recording/download answered 70082 once
}

// plan draws the calls of a run from a generator seeded with seed, so that
// the runs compared with each other see the same calls.
func plan(seed uint64, m mix) []call {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) //nolint:gosec // G404: a reproducible load, not a secret
	var calls []call
	for at := arrival(rng, m.Rate); at < m.Duration; at += arrival(rng, m.Rate) {
		c := call{At: at, Size: size(rng, m), MP3: rng.Float64() < m.MP3Share}
		switch r := rng.Float64(); {
		case r < m.ResetShare:
			c.Fault = faultReset
		case r < m.ResetShare+m.BusyShare:
			c.Fault = faultBusy
		}
		calls = append(calls, c)
	}
	return calls
}

// arrival is the time to the next call end: exponential with mean 1/rate,
// which makes the call ends a Poisson process.
func arrival(rng *rand.Rand, rate float64) time.Duration {
	return time.Duration(rng.ExpFloat64() / rate * float64(time.Second))
}

// size draws a recording's size from a log-normal distribution around the
// median: most calls are short, a few run long.
func size(rng *rand.Rand, m mix) int64 {
	s := float64(m.MedianSize) * math.Exp(m.Sigma*rng.NormFloat64())
	return min(max(int64(s), m.MinSize), m.MaxSize)
}
