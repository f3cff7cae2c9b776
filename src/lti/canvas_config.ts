import { ALL_SCOPES } from './platforms.js';

/**
 * The Canvas developer-key JSON ("Enter URL" in Canvas's LTI key form) for this deployment's
 * public URL: launches, deep linking from the assignment and link pickers, and the course menu.
 */
export function canvasConfig(publicUrl: string) {
  const launch = `${publicUrl}/lti/launch`;
  return {
    title: 'Wayfinder',
    description: 'Adaptive practice: recommends each learner’s next item from a few answers, and grades back to the gradebook.',
    oidc_initiation_url: `${publicUrl}/lti/login`,
    target_link_uri: launch,
    scopes: ALL_SCOPES,
    public_jwk_url: `${publicUrl}/lti/keys`,
    custom_fields: { canvas_course_id: '$Canvas.course.id' },
    extensions: [
      {
        platform: 'canvas.instructure.com',
        domain: new URL(publicUrl).host,
        tool_id: 'wayfinder',
        privacy_level: 'public',
        settings: {
          text: 'Wayfinder',
          placements: [
            { placement: 'assignment_selection', message_type: 'LtiDeepLinkingRequest', target_link_uri: launch },
            { placement: 'link_selection', message_type: 'LtiDeepLinkingRequest', target_link_uri: launch },
            { placement: 'course_navigation', message_type: 'LtiResourceLinkRequest', target_link_uri: launch, text: 'Wayfinder' },
          ],
        },
      },
    ],
  };
}
