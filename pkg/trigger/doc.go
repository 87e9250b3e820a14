// Package trigger owns the shapes of the events that start a copy and
// turns them into recording references, rejecting anything else with an
// error that names the problem.
package trigger
