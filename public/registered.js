// Tells the LMS (Moodle opens the registration in a window or iframe, Canvas in an iframe) that
// registration is over, per LTI Dynamic Registration.
(window.opener || window.parent).postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
