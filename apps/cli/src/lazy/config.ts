// Loaded on use by `await import('../lazy/config')`: nest build rewrites @tb/* paths only in static imports, so the built
// CLI reaches a lib through this static re-export (an `import('@tb/config')` fails under dist/).
export * from '@tb/config';
