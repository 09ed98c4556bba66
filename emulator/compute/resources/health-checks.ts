import type { Router } from '../../core/router';
import type { ComputeService } from '../index';

// Placeholder: filled in by the resource's implementation.
export function registerHealthChecks(_compute: ComputeService, _router: Router): void {}
