// Package trigger owns the shapes of the events that start a copy and
// turns them into recording references, routing by shape, not by
// configuration:
//
//   - direct: {"id": N}, {"file": "NAME"} or both, with an optional "call"
//     object holding the call's details and an optional "pbx" naming the
//     PBX (absent: the default one) (Message encodes this shape, the one
//     queued by the webhook and the reconciler);
//   - an EventBridge envelope whose detail is a direct shape or a 30012 event;
//   - a Yeastar 30012 "New CDR" event, {"type":30012,"sn":...,"msg":"<JSON string>"};
//   - an SQS event whose records' bodies are any of the above.
//
// Anything else is rejected with a *recording.InvalidInputError that names
// the problem.
package trigger
