// Package recap is the staff's monthly recap of the KLA figures, in the
// chat and as a workbook and chart.
package recap
