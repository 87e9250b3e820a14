package yeastartest

import "strconv"

// Files every PBX of a fleet holds by default: PBXs number their
// recordings and name their files on their own, so two of them can well
// hold the same id and the same file name. A key without {pbx} would make
// their copies collide.
const (
	fleetSharedFile = "20240105093000-1704447000.1-2001-2002-Internal.wav"
	fleetSharedID   = 1001
	fleetOwnID      = 1002
)

// FleetRecordings returns the recordings the PBX at position i (from 1) of
// a fleet holds by default: one whose id and file name every PBX shares,
// with a size of i × 64 KiB so that the copies differ, and one of its own.
func FleetRecordings(i int) []Recording {
	return []Recording{
		{ID: fleetSharedID, File: fleetSharedFile, Size: int64(i) << 16},
		{ID: fleetOwnID, File: fleetOwnFile(i), Size: 32<<10 + int64(i)},
	}
}

// fleetOwnFile is the file name FleetRecordings(i) gives the PBX's own
// recording.
func fleetOwnFile(i int) string {
	return "20240105094500-1704447900." + strconv.Itoa(i) + "-2003-5550100-Outbound.wav"
}
