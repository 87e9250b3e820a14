package main

import "time"

const minute = time.Minute

func fixedZone(seconds int) *time.Location { return time.FixedZone("", seconds) }
