// Imported first by every lab entry point: testcontainers must never try to start its reaper (Ryuk):
// its image cannot be pulled here. The lab labels and removes its own containers.
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
export {};
