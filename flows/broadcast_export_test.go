package flows

// ParseWhen exposes the broadcast time reader to the flows_test package.
var ParseWhen = bcParseWhen
