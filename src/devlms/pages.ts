import type { Router } from 'express';
import type { LmsState } from './state.js';

export function pageRoutes(_router: Router, _state: LmsState): void {}
