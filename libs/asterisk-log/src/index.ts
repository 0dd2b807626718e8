export * from './security-event';
