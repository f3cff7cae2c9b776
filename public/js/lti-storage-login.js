// Login through platform storage: state and nonce go to the platform's window under keys that
// contain them, then the browser continues to the platform's auth endpoint.
window.LtiStorage.stateAndNonce(window.LtiStorage.put);
