// Loaded on use by `await import('../lazy/database')`: nest build rewrites @tb/* paths only in static imports, so the built
// CLI reaches a lib through this static re-export (an `import('@tb/database')` fails under dist/).
export * from '@tb/database';
