// Loaded on use by `await import('../lazy/users')`: nest build rewrites @tb/* paths only in static imports, so the built
// CLI reaches a lib through this static re-export (an `import('@tb/users')` fails under dist/).
export * from '@tb/users';
