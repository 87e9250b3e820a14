// Package localenvtest holds test helpers for packages whose tests need the
// local S3 server of package localenv.
package localenvtest
