package flows

var defaultFeatures = []func(*Engine){addMenu, addLink, addReports, addTrainings, addBroadcasts, addReminders, addPrivacy, addRecap, addAsking, addWeb}
