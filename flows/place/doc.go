// Package place is the question "where?" that reports, trainings and
// broadcasts share: kecamatan, then desa, from a list or typed in
// people's own spelling, or a shared location.
package place
