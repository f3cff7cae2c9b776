// Launch through platform storage: the platform must give back the state and nonce stored at
// login for exactly this launch; only then is the launch completed (once) on the server.
window.LtiStorage.stateAndNonce(window.LtiStorage.check);
