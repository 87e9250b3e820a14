package localenv

import "github.com/recording-sync/recording-sync/internal/yeastartest"

// SampleRecordings are what the simulated PBX holds for the demo and the
// sample-event tests: the recordings that the files in events/ name (the
// first two from Yeastar's documentation examples). events/sqs.json's
// middle record names 999999, which the PBX does not have, so that its
// answer names exactly that message as failed.
var SampleRecordings = []yeastartest.Recording{
	{ID: 1727, File: "20220412173331-1649756009.12-2002-2005-Internal.wav", Size: 12 << 20},
	{ID: 1728, File: "20220427190445-1651057476.362-2005-2002-Internal.wav", Size: 3 << 20},
	{ID: 1729, File: "20220501093015-1651397415.88-2001-5551234-Outbound.wav", Size: 5 << 20},
	{ID: 1730, File: "20220502101500-1651486500.12-5551234-2003-Inbound.wav", Size: 9 << 20},
	{ID: 1731, File: "20220502113000-1651491000.21-2002-2007-Internal.wav", Size: 2 << 20},
	{ID: 1732, File: "20220502142000-1651501200.40-2004-2006-Internal.mp3", Size: 1 << 20},
	// events/sqs-message.json: a message as the webhook queues it (file
	// and call details) and one as the reconciler does (id, file, details).
	{ID: 1733, File: "20220503091500-1651569300.7-2008-5559876-Outbound.wav", Size: 4 << 20},
	{ID: 614, File: "20220112173629-1641980184.14-5566-5556-Internal.wav", Size: 3 << 20},
}
