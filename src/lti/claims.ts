/** LTI 1.3 claim names, spelled once. */
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const CLAIM = {
  messageType: LTI + 'message_type',
  version: LTI + 'version',
  deploymentId: LTI + 'deployment_id',
  targetLinkUri: LTI + 'target_link_uri',
  resourceLink: LTI + 'resource_link',
  roles: LTI + 'roles',
  context: LTI + 'context',
  custom: LTI + 'custom',
  launchPresentation: LTI + 'launch_presentation',
  toolPlatform: LTI + 'tool_platform',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  contentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  deepLinkData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
} as const;

export const MESSAGE_TYPES = ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
